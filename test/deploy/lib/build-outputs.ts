// Which files does `npm run build` produce? Derived statically from the same
// inputs the Nest CLI uses: nest-cli.json (projects, entryFile, tsConfigPath)
// and each app's tsconfig (rootDir, outDir, include/exclude), so a command in
// docker-compose.yml / k8s / the Dockerfile can be checked against the build
// without running it.
import path from 'node:path';
import ts from 'typescript';
import { fromRoot, readText, repoRoot } from './repo.js';

export interface BuildProject {
  name: string;
  tsconfig: string;
  rootDir: string;
  outDir: string;
  /** absolute paths of the .ts sources the project compiles */
  sources: Set<string>;
  entryFile?: string;
}

const posix = (p: string): string => p.split(path.sep).join('/');

/** The Nest projects whose output the deployment runs; others (standalone, bench, ...) are optional here. */
const DEPLOYED_PROJECTS = ['gateway', 'conversations', 'mcp-broker'];

export function loadBuildProjects(): BuildProject[] {
  const nest = JSON.parse(readText('nest-cli.json'));
  const projects: BuildProject[] = [];
  for (const [name, project] of Object.entries<any>(nest.projects ?? {})) {
    if (project.type !== 'application') continue;
    const required = DEPLOYED_PROJECTS.includes(name);
    const tsconfigRel: string = project.compilerOptions?.tsConfigPath ?? nest.compilerOptions?.tsConfigPath;
    const tsconfigAbs = fromRoot(tsconfigRel ?? '');
    const read = ts.readConfigFile(tsconfigAbs, ts.sys.readFile);
    if (!tsconfigRel || read.error) {
      if (!required) continue;
      throw new Error(`${name}: cannot read its tsconfig ${tsconfigRel}: ${read.error ? ts.flattenDiagnosticMessageText(read.error.messageText, '\n') : 'not set'}`);
    }
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfigAbs), undefined, tsconfigAbs);
    const { rootDir, outDir } = parsed.options;
    if (!rootDir || !outDir) {
      if (!required) continue;
      throw new Error(`${tsconfigRel}: rootDir and outDir must be set to map sources to dist/`);
    }
    projects.push({
      name,
      tsconfig: tsconfigRel,
      rootDir,
      outDir,
      sources: new Set(parsed.fileNames.map((f) => path.resolve(f))),
      entryFile: project.entryFile,
    });
  }
  return projects;
}

/**
 * Problems with a runtime path such as `dist/apps/gateway/src/main.js`, or []
 * when some app project compiles a source that tsc emits at exactly that path.
 */
export function checkBuiltPath(distRel: string, projects: BuildProject[]): string[] {
  const target = path.resolve(repoRoot, distRel);
  const candidates: string[] = [];
  for (const p of projects) {
    const rel = path.relative(p.outDir, target);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const source = path.resolve(p.rootDir, rel.replace(/\.js$/, '.ts'));
    if (p.sources.has(source)) return [];
    candidates.push(`${posix(path.relative(repoRoot, source))} (project ${p.name}, ${p.tsconfig})`);
  }
  if (!candidates.length) return [`${distRel}: not under the outDir of any Nest application project`];
  return [`${distRel}: no build produces it — expected source ${candidates.join(' or ')} does not exist or is not included`];
}

/** `dist/<entryFile>.js` for a Nest project, as the Nest CLI would start it. */
export function entryOutput(p: BuildProject): string | undefined {
  if (!p.entryFile) return undefined;
  return posix(path.relative(repoRoot, path.resolve(p.outDir, `${p.entryFile}.js`)));
}
