// Dockerfile and .dockerignore, checked statically with `dockerfile-ast` (the
// parser of the Dockerfile language server used by editors).
import dockerfileAst from 'dockerfile-ast';
import { APP_IMAGE_NAME, distPathsIn, exists } from './repo.js';

const { DockerfileParser } = dockerfileAst as any;

export interface Stage {
  name?: string;
  /** FROM argument after ARG substitution */
  base: string;
  /** the external image this stage ultimately derives from */
  rootImage: string;
  instructions: { keyword: string; args: string[]; flags: Record<string, string | null>; json?: string[]; line: number }[];
}

export interface ParsedDockerfile {
  stages: Stage[];
  globalArgs: Record<string, string>;
}

const substitute = (s: string, vars: Record<string, string>): string =>
  s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, d, b) => vars[a ?? b] ?? d ?? '');

export function parseDockerfile(text: string): ParsedDockerfile {
  const df = DockerfileParser.parse(text);
  const globalArgs: Record<string, string> = {};
  for (const arg of df.getInitialARGs()) {
    const p = arg.getProperty();
    if (p) globalArgs[p.getName()] = p.getValue() ?? '';
  }
  const stages: Stage[] = [];
  let current: Stage | undefined;
  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword();
    if (keyword === 'FROM') {
      const base = substitute(ins.getImage() ?? '', globalArgs);
      const parent = stages.find((s) => s.name === base);
      current = { name: ins.getBuildStage() ?? undefined, base, rootImage: parent ? parent.rootImage : base, instructions: [] };
      stages.push(current);
      continue;
    }
    if (!current) continue; // global ARGs
    const flags: Record<string, string | null> = {};
    for (const f of ins.getFlags?.() ?? []) flags[f.getName()] = f.getValue();
    const json = typeof ins.getJSONStrings === 'function' && ins.getJSONStrings().length ? ins.getJSONStrings().map((s: any) => s.getJSONValue()) : undefined;
    current.instructions.push({ keyword, args: ins.getArguments().map((a: any) => a.getValue()), flags, json, line: ins.getRange().start.line + 1 });
  }
  return { stages, globalArgs };
}

/** Node major of an official node image reference such as node:24-bookworm-slim. */
export const nodeMajor = (image: string): number | undefined => {
  const m = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)(?:[.-]|$)/.exec(image);
  return m ? Number(m[1]) : undefined;
};

export function checkDockerfile(text: string, expectedDistPaths: string[]): string[] {
  const problems: string[] = [];
  const { stages } = parseDockerfile(text);
  if (stages.length < 3) problems.push(`expected a multi-stage build (deps -> build -> runtime), found ${stages.length} stage(s)`);
  const names = stages.map((s) => s.name);
  for (const required of ['deps', 'build', 'runtime']) if (!names.includes(required)) problems.push(`no stage named "${required}"`);
  const final = stages[stages.length - 1];
  if (!final) return problems;
  if (final.name !== 'runtime') problems.push(`the final stage is "${final.name}", expected "runtime" (what \`docker build .\` produces)`);

  // Base images: official Node 24, and the runtime from a slim variant.
  for (const s of stages) {
    if (nodeMajor(s.rootImage) !== 24) problems.push(`stage ${s.name}: base image "${s.rootImage}" is not Node 24`);
  }
  if (!/slim/.test(final.rootImage)) problems.push(`runtime stage: base "${final.rootImage}" is not a slim image`);

  const ins = (s: Stage, kw: string) => s.instructions.filter((i) => i.keyword === kw);

  // Non-root user in the final stage (the last USER instruction wins).
  const users = ins(final, 'USER');
  const user = users[users.length - 1]?.args[0]?.split(':')[0];
  if (!user) problems.push('runtime stage: no USER instruction (would run as root)');
  else if (user === 'root' || user === '0') problems.push(`runtime stage: USER ${user} is root`);

  // NODE_ENV=production in the final stage.
  const env = ins(final, 'ENV').flatMap((i) => i.args).join(' ');
  if (!/(^|\s)NODE_ENV=production(\s|$)/.test(env)) problems.push('runtime stage: ENV NODE_ENV=production missing');

  // Layer caching: in each stage that runs `npm ci`, the manifests are copied
  // first and nothing copies the whole context before the install.
  for (const s of stages) {
    let copiedEverything = false;
    let copiedManifests = false;
    for (const i of s.instructions) {
      if (i.keyword === 'COPY' && !('from' in i.flags)) {
        const sources = i.args.slice(0, -1);
        if (sources.some((a) => a === '.' || a === './')) copiedEverything = true;
        if (sources.includes('package.json') && sources.some((a) => a === 'package-lock.json' || a === 'package*.json')) copiedManifests = true;
      }
      if (i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args.join(' '))) {
        if (copiedEverything) problems.push(`stage ${s.name}: \`npm ci\` runs after copying the whole context (line ${i.line}) — every source change would reinstall`);
        if (!copiedManifests) problems.push(`stage ${s.name}: \`npm ci\` (line ${i.line}) before package.json/package-lock.json are copied`);
      }
    }
  }
  // The runtime gets production dependencies only.
  const prodInstall = stages.some(
    (s) => s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args.join(' ')) && /--omit=dev\b/.test(i.args.join(' '))),
  );
  if (!prodInstall) problems.push('no `npm ci --omit=dev` for the runtime dependencies');
  const buildsInFinal = ins(final, 'RUN').some((i) => /\bnpm (run )?build\b/.test(i.args.join(' ')));
  if (buildsInFinal) problems.push('runtime stage builds the app (build in a separate stage)');

  // The runtime copies what the apps need at run time.
  const copies = ins(final, 'COPY');
  const copied = (what: RegExp, fromStage?: string) =>
    copies.some((c) => c.args.slice(0, -1).some((a) => what.test(a)) && (fromStage === undefined || c.flags.from === fromStage));
  if (!copied(/(^|\/)dist\/?$/, 'build')) problems.push('runtime stage: dist/ is not copied from the build stage');
  if (!copied(/(^|\/)node_modules\/?$/)) problems.push('runtime stage: node_modules is not copied');
  if (!copied(/^package(\*)?\.json$/)) problems.push('runtime stage: package.json is not copied (its "type": "module" makes dist/*.js ESM)');
  if (!copied(/^config\/?$/)) problems.push('runtime stage: config/ (the MCP server config) is not copied');
  for (const c of copies) {
    const from = c.flags.from;
    if (from !== undefined && from !== null && !names.includes(from) && !from.includes(':') && !from.includes('/')) problems.push(`COPY --from=${from}: no such stage`);
  }
  // Local COPY sources exist in the build context.
  for (const s of stages) {
    for (const c of ins(s, 'COPY')) {
      if ('from' in c.flags) continue;
      for (const src of c.args.slice(0, -1)) {
        if (src === '.' || /[*?[]/.test(src)) continue;
        if (!exists(src)) problems.push(`stage ${s.name}: COPY source "${src}" does not exist in the build context (line ${c.line})`);
      }
    }
  }

  // Default command: exec form, one of the app entry points.
  const cmds = ins(final, 'CMD');
  const cmd = cmds[cmds.length - 1];
  if (!cmd?.json) problems.push('runtime stage: CMD missing or not in exec (JSON) form');
  else {
    const paths = distPathsIn(cmd.json);
    if (cmd.json[0] !== 'node' || paths.length !== 1 || !expectedDistPaths.includes(paths[0])) {
      problems.push(`runtime stage: CMD ${JSON.stringify(cmd.json)} does not run one of ${expectedDistPaths.join(', ')}`);
    }
  }
  const entry = ins(final, 'ENTRYPOINT').pop();
  if (entry && !entry.json) problems.push('runtime stage: ENTRYPOINT in shell form swallows signals; use exec form');
  return problems;
}

/** The CMD of the final stage (what runs when compose/k8s give no command). */
export function defaultCommand(text: string): string[] | undefined {
  const { stages } = parseDockerfile(text);
  const final = stages[stages.length - 1];
  return final?.instructions.filter((i) => i.keyword === 'CMD').pop()?.json;
}

// ---------------------------------------------------------------------------
// .dockerignore — https://docs.docker.com/build/concepts/context/#dockerignore-files
// Patterns use Go filepath.Match syntax plus `**`; later lines win; `!` re-includes.

function patternToRegExp(pattern: string): RegExp {
  let p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '*' && p[i + 1] === '*') {
      re += '.*';
      i++;
      if (p[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // a pattern matching a directory also excludes everything below it
  return new RegExp(`^${re}(?:/.*)?$`);
}

export function parseDockerignore(text: string): { negate: boolean; re: RegExp; pattern: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = negate ? l.slice(1).trim() : l;
      return { negate, re: patternToRegExp(pattern), pattern };
    });
}

export function isIgnored(rules: ReturnType<typeof parseDockerignore>, relPath: string): boolean {
  let ignored = false;
  for (const r of rules) if (r.re.test(relPath)) ignored = !r.negate;
  return ignored;
}

export function checkDockerignore(text: string): string[] {
  const problems: string[] = [];
  const rules = parseDockerignore(text);
  for (const p of ['node_modules', 'node_modules/x/index.js', 'apps/web/node_modules/y', 'dist/apps/gateway/src/main.js', '.git/HEAD', '.env', 'data/upload.csv']) {
    if (!isIgnored(rules, p)) problems.push(`.dockerignore does not exclude ${p}`);
  }
  for (const p of ['package.json', 'package-lock.json', 'config/mcp-servers.json', 'apps/gateway/src/main.ts', 'libs/shared/src/index.ts', 'nest-cli.json', 'angular.json', 'tsconfig.base.json', 'scripts/build.mjs', 'servers/tsconfig.json', 'servers/data/main.ts', 'servers/sqlite/main.ts']) {
    if (isIgnored(rules, p)) problems.push(`.dockerignore excludes ${p}, which the build needs`);
  }
  return problems;
}

export { APP_IMAGE_NAME };
