// npm ci refuses a lockfile that lacks any optional dependency, but a registry mirror that only
// serves this platform's binaries (e.g. @swc/core-linux-x64-gnu, not -darwin-arm64) leaves other
// platforms' optional packages out of the lockfile. This records each missing one, at the version
// its parent asks for and marked optional, so that npm ci accepts the lockfile everywhere and simply
// skips the packages that are not for the machine it runs on.
//   node scripts/lock-optional-platforms.mjs   (after any npm install that changed the lockfile)
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;

for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // Where npm would look for it: beside the parent's own node_modules, then up the tree.
    const parentDir = path === '' ? '' : `${path}/`;
    const candidates = [`${parentDir}node_modules/${name}`];
    for (let dir = path; dir.includes('node_modules/'); ) {
      dir = dir.slice(0, dir.lastIndexOf('node_modules/')).replace(/\/$/, '');
      candidates.push(`${dir ? `${dir}/` : ''}node_modules/${name}`);
    }
    if (candidates.some((candidate) => packages[candidate])) continue;
    const version = /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec) ? spec : spec.replace(/^[\^~=]/, '');
    packages[`node_modules/${name}`] = { version, optional: true };
    added++;
  }
}

const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`Recorded ${added} optional platform package(s) the registry did not serve.`);
