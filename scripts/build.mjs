// Builds what is out of date: the server apps with the Nest CLI, the web app with the Angular CLI.
//   node scripts/build.mjs [server|web] [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = ['tsconfig.base.json', 'package-lock.json'];

export const targets = {
  server: {
    sources: ['apps/gateway', 'apps/conversations', 'apps/mcp-broker', 'apps/standalone', 'libs/shared', 'servers', 'nest-cli.json', ...shared],
    stamp: 'dist/.server-built',
    commands: [
      ...['standalone', 'gateway', 'conversations', 'mcp-broker'].map((project) => ['node_modules/@nestjs/cli/bin/nest.js', 'build', project]),
      // The first-party MCP servers stand alone: plain tsc, one output folder each (dist/servers/<name>/main.js),
      // beside the code they share (dist/servers/common).
      ['node_modules/typescript/bin/tsc', '-p', 'servers/tsconfig.json'],
    ],
  },
  web: {
    sources: ['apps/web', 'angular.json', ...shared],
    stamp: 'dist/web/.built',
    commands: [['node_modules/@angular/cli/bin/ng.js', 'build', 'web']],
  },
};

function newestChange(path) {
  const full = join(root, path);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(full).reduce((newest, entry) => (entry === 'node_modules' ? newest : Math.max(newest, newestChange(join(path, entry)))), stat.mtimeMs);
}

function isFresh(target) {
  const stamp = join(root, target.stamp);
  return existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(...target.sources.map(newestChange));
}

export function build(names = Object.keys(targets), { force = false } = {}) {
  for (const name of names) {
    const target = targets[name];
    if (!force && isFresh(target)) continue;
    console.log(`Building ${name}…`);
    // The stamp carries the time the build started: a source changed while it ran is built next time.
    const started = new Date();
    for (const args of target.commands) {
      const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
      if (result.status !== 0) throw new Error(`Building ${name} failed (${args.slice(1).join(' ')})`);
    }
    mkdirSync(dirname(join(root, target.stamp)), { recursive: true });
    writeFileSync(join(root, target.stamp), started.toISOString());
    utimesSync(join(root, target.stamp), started, started);
  }
}

export function requireNode24() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    console.error(`MCP DataFlow Chat needs Node 24 or later; this is Node ${process.versions.node}. Run it through npm (npm start, npm test), which uses the Node the project installs.`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  requireNode24();
  const names = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  try {
    build(names.length ? names : undefined, { force: process.argv.includes('--force') });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
