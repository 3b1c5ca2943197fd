// docker-compose.yml: interpolation (as `docker compose` does it), validation
// against the official Compose Specification JSON schema, and the semantic
// checks the schema cannot express.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { APPS, APP_IMAGE_NAME, DATA_DIR, READY_PATH, appByName, distPathsIn } from './repo.js';

// ---------------------------------------------------------------------------
// Schema: the compose-spec schema (schema/compose-spec.json of
// github.com/compose-spec/compose-spec, Apache-2.0) as shipped in the npm
// package `dclint` (schemas/compose.schema.json). Read from node_modules so it
// is updated with the package, never fetched.
const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with `exports.default`; require() gives the plugin
// the same way under Node ESM, Jest's ESM loader and TypeScript's NodeNext.
const addFormats: typeof import('ajv-formats').default = require('ajv-formats');
export const composeSchemaPath = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');

export function loadComposeSchema(): any {
  const schema = JSON.parse(readFileSync(composeSchemaPath, 'utf8'));
  // The file declares `"$schema": "https://json-schema.org/draft-07/schema"`
  // (https, no '#'), which Ajv does not recognise as its built-in draft-07
  // meta-schema id; drop it and compile as draft-07 (Ajv's default).
  delete schema.$schema;
  return schema;
}

export function compileComposeValidator(): ValidateFunction {
  // strict:false — the spec uses annotation keywords (e.g. `deprecated`) and
  // union types that Ajv's strict mode would reject as schema-authoring errors.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(loadComposeSchema());
}

// ---------------------------------------------------------------------------
// Interpolation — https://docs.docker.com/reference/compose-file/interpolation/
// Supports $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+a},
// ${VAR+a}, nesting inside the default, and $$ as a literal $.

export interface VarUse {
  name: string;
  /** `:-`/`-` default, `:?`/`?` required-with-message, `:+`/`+` alternative, or none */
  op: ':-' | '-' | ':?' | '?' | ':+' | '+' | null;
  where: string;
}

export function interpolateString(input: string, env: Record<string, string | undefined>, uses: VarUse[], where: string): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      // find the matching brace (defaults may nest ${...})
      let depth = 1;
      let j = i + 2;
      while (j < input.length && depth > 0) {
        if (input[j] === '{') depth++;
        else if (input[j] === '}') depth--;
        j++;
      }
      if (depth !== 0) throw new Error(`${where}: unterminated \${ in ${JSON.stringify(input)}`);
      const body = input.slice(i + 2, j - 1);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)([\s\S]*))?$/.exec(body);
      if (!m) throw new Error(`${where}: invalid interpolation \${${body}}`);
      const [, name, op, rest = ''] = m;
      uses.push({ name, op: (op as VarUse['op']) ?? null, where });
      const value = env[name];
      const unsetOrEmpty = value === undefined || value === '';
      let replacement: string;
      switch (op) {
        case ':-':
          replacement = unsetOrEmpty ? interpolateString(rest, env, uses, where) : value!;
          break;
        case '-':
          replacement = value === undefined ? interpolateString(rest, env, uses, where) : value;
          break;
        case ':?':
        case '?':
          if (op === ':?' ? unsetOrEmpty : value === undefined) {
            throw new Error(`${where}: required variable ${name} is missing: ${rest}`);
          }
          replacement = value!;
          break;
        case ':+':
          replacement = unsetOrEmpty ? '' : interpolateString(rest, env, uses, where);
          break;
        case '+':
          replacement = value === undefined ? '' : interpolateString(rest, env, uses, where);
          break;
        default:
          replacement = value ?? '';
      }
      out += replacement;
      i = j;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1));
    if (m) {
      uses.push({ name: m[0], op: null, where });
      out += env[m[0]] ?? '';
      i += 1 + m[0].length;
      continue;
    }
    throw new Error(`${where}: invalid '$' in ${JSON.stringify(input)} (use $$ for a literal $)`);
  }
  return out;
}

/** Interpolate every string value (not keys) of a parsed compose file, recording each variable use. */
export function interpolate(value: any, env: Record<string, string | undefined>, uses: VarUse[], where = ''): any {
  if (typeof value === 'string') return interpolateString(value, env, uses, where || '/');
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, uses, `${where}/${i}`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, uses, `${where}/${k}`)]));
  }
  return value;
}

// ---------------------------------------------------------------------------
// Helpers over the (interpolated) model

type Env = Record<string, string>;

export function serviceEnv(svc: any): Env {
  const env = svc?.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e: string) => {
        const k = e.indexOf('=');
        return k < 0 ? [e, ''] : [e.slice(0, k), e.slice(k + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

function dependsOn(svc: any): Record<string, { condition: string }> {
  const d = svc?.depends_on;
  if (!d) return {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n: string) => [n, { condition: 'service_started' }]));
  return d;
}

interface Mount {
  type: string;
  source?: string;
  target: string;
}

/** Service volume entries in short (`src:dst[:mode]`) or long syntax. */
export function serviceMounts(svc: any): Mount[] {
  return (svc?.volumes ?? []).map((v: any): Mount => {
    if (typeof v === 'string') {
      const parts = v.split(':');
      if (parts.length === 1) return { type: 'volume', target: parts[0] };
      const source = parts[0];
      const type = /^[./~]/.test(source) || path.isAbsolute(source) ? 'bind' : 'volume';
      return { type, source, target: parts[1] };
    }
    return { type: v.type, source: v.source, target: v.target };
  });
}

interface Published {
  hostIp: string;
  published: string;
  target: number;
  protocol: string;
}

/** Published ports (short `[ip:]host:container[/proto]` or long syntax). */
export function publishedPorts(svc: any): Published[] {
  const out: Published[] = [];
  for (const p of svc?.ports ?? []) {
    if (typeof p === 'object') {
      if (p.published !== undefined) {
        out.push({ hostIp: p.host_ip ?? '0.0.0.0', published: String(p.published), target: Number(p.target), protocol: p.protocol ?? 'tcp' });
      }
      continue;
    }
    const s = String(p);
    const [spec, protocol = 'tcp'] = s.split('/');
    // IPv6 host addresses are bracketed: [::1]:3000:3000
    const m = /^(?:(\[[^\]]+\]|[^:]+):)?(?:([^:]*):)?([^:]+)$/.exec(spec);
    if (!m) continue;
    let [, a, b, target] = m;
    let hostIp = '0.0.0.0';
    let published: string | undefined;
    if (b !== undefined) {
      hostIp = a;
      published = b;
    } else if (a !== undefined) {
      published = a;
    }
    if (published) out.push({ hostIp, published, target: Number(target), protocol });
  }
  return out;
}

const healthcheckText = (svc: any): string => {
  const t = svc?.healthcheck?.test;
  return Array.isArray(t) ? t.join(' ') : String(t ?? '');
};

function hasHealthcheck(svc: any): boolean {
  const hc = svc?.healthcheck;
  if (!hc || hc.disable === true) return false;
  const t = hc.test;
  if (Array.isArray(t)) return t.length > 0 && t[0] !== 'NONE';
  return typeof t === 'string' && t.length > 0;
}

const argv = (cmd: any): string[] => (Array.isArray(cmd) ? cmd.map(String) : typeof cmd === 'string' ? cmd.split(/\s+/).filter(Boolean) : []);

// ---------------------------------------------------------------------------
// Semantic checks. Each returns a list of problems (empty = fine) so the spec
// can also feed deliberately broken copies to them.

/** depends_on targets exist, conditions are satisfiable, and there is no cycle. */
export function checkDependsOn(compose: any): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  for (const [name, svc] of Object.entries<any>(services)) {
    for (const [dep, spec] of Object.entries(dependsOn(svc))) {
      const target = services[dep];
      if (!target) {
        problems.push(`services.${name}.depends_on: unknown service "${dep}"`);
        continue;
      }
      if (dep === name) problems.push(`services.${name}.depends_on: depends on itself`);
      if (spec.condition === 'service_healthy' && !hasHealthcheck(target)) {
        problems.push(`services.${name}.depends_on.${dep}: condition service_healthy but "${dep}" has no healthcheck`);
      }
      if (spec.condition === 'service_completed_successfully') {
        const restart = String(target.restart ?? 'no');
        if (!['no', 'on-failure'].includes(restart.split(':')[0])) {
          problems.push(`services.${name}.depends_on.${dep}: waits for "${dep}" to complete, but its restart policy "${restart}" restarts it after success`);
        }
      }
    }
  }
  // cycle detection (DFS)
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, trail: string[]): void => {
    if (state.get(n) === 'done' || !services[n]) return;
    if (state.get(n) === 'visiting') {
      problems.push(`depends_on cycle: ${[...trail.slice(trail.indexOf(n)), n].join(' -> ')}`);
      return;
    }
    state.set(n, 'visiting');
    for (const dep of Object.keys(dependsOn(services[n]))) visit(dep, [...trail, n]);
    state.set(n, 'done');
  };
  for (const n of Object.keys(services)) visit(n, []);
  return problems;
}

/** Every named volume a service mounts is declared at the top level, and every declared one is used. */
export function checkVolumes(compose: any): string[] {
  const problems: string[] = [];
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  const used = new Set<string>();
  for (const [name, svc] of Object.entries<any>(compose.services ?? {})) {
    for (const m of serviceMounts(svc)) {
      if (m.type !== 'volume' || !m.source) continue;
      used.add(m.source);
      if (!declared.has(m.source)) problems.push(`services.${name}.volumes: named volume "${m.source}" is not declared under top-level volumes`);
    }
  }
  for (const v of declared) if (!used.has(v)) problems.push(`volumes.${v}: declared but not used by any service`);
  return problems;
}

/** Published host ports are unique per host address and protocol. */
export function checkPorts(compose: any): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [name, svc] of Object.entries<any>(compose.services ?? {})) {
    for (const p of publishedPorts(svc)) {
      const wildcard = p.hostIp === '0.0.0.0' || p.hostIp === '' || p.hostIp === '[::]';
      for (const [key, other] of seen) {
        const [ip, port, proto] = key.split('|');
        const otherWildcard = ip === '0.0.0.0' || ip === '' || ip === '[::]';
        if (port === p.published && proto === p.protocol && (ip === p.hostIp || wildcard || otherWildcard)) {
          problems.push(`services.${name}.ports: host port ${p.published}/${p.protocol} also published by "${other}"`);
        }
      }
      seen.set(`${p.hostIp}|${p.published}|${p.protocol}`, name);
    }
  }
  return problems;
}

/** Every long-running service has a healthcheck; app services probe themselves with Node on their ready path. */
export function checkHealthchecks(compose: any): string[] {
  const problems: string[] = [];
  for (const [name, svc] of Object.entries<any>(compose.services ?? {})) {
    const app = appByName(name);
    const oneShot = String(svc.restart ?? 'no') === 'no' && app?.kind === 'Job';
    if (oneShot) continue;
    if (!hasHealthcheck(svc)) {
      problems.push(`services.${name}: no healthcheck`);
      continue;
    }
    if (!app?.port) continue;
    const test = svc.healthcheck.test;
    if (!Array.isArray(test) || test[0] !== 'CMD' || test[1] !== 'node') {
      problems.push(`services.${name}.healthcheck.test: expected ["CMD", "node", ...] (the slim image has no curl/wget)`);
    }
    const url = /https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[^'"\s)]*)/.exec(healthcheckText(svc));
    if (!url) {
      problems.push(`services.${name}.healthcheck.test: no http://127.0.0.1:<port>/... URL found`);
      continue;
    }
    const env = serviceEnv(svc);
    const port = Number(env[app.portEnv!] ?? app.port);
    if (Number(url[1]) !== port) problems.push(`services.${name}.healthcheck: probes port ${url[1]} but the app listens on ${port} (${app.portEnv})`);
    if (url[2] !== READY_PATH) problems.push(`services.${name}.healthcheck: probes ${url[2]}, expected ${READY_PATH}`);
  }
  return problems;
}

/**
 * The app services: all present, one shared image built from this repo's
 * Dockerfile, the right command, env and volumes.
 */
export function checkAppServices(compose: any): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  const builds = new Set<string>();
  const images = new Set<string>();
  for (const app of APPS) {
    const svc = services[app.name];
    if (!svc) {
      problems.push(`services.${app.name}: missing`);
      continue;
    }
    const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
    if (!build) problems.push(`services.${app.name}: has no build (all apps are built from the repo's Dockerfile)`);
    else {
      const context = path.posix.normalize(build.context ?? '.');
      if (context !== '.') problems.push(`services.${app.name}.build.context: "${build.context}", expected "."`);
      if ((build.dockerfile ?? 'Dockerfile') !== 'Dockerfile') problems.push(`services.${app.name}.build.dockerfile: expected Dockerfile`);
      builds.add(JSON.stringify(build));
    }
    images.add(String(svc.image));
    if (!String(svc.image ?? '').startsWith(`${APP_IMAGE_NAME}:`)) {
      problems.push(`services.${app.name}.image: "${svc.image}" should be ${APP_IMAGE_NAME}:<tag> so that one build serves every app`);
    }
    const cmd = argv(svc.command);
    if (JSON.stringify(cmd) !== JSON.stringify(app.command)) {
      problems.push(`services.${app.name}.command: ${JSON.stringify(cmd)}, expected ${JSON.stringify(app.command)}`);
    }
    const env = serviceEnv(svc);
    for (const k of app.requiredEnv) if (!env[k]) problems.push(`services.${app.name}.environment: ${k} is not set`);
    if (env.NODE_ENV && env.NODE_ENV !== 'production') problems.push(`services.${app.name}.environment.NODE_ENV: ${env.NODE_ENV}`);
    if (app.portEnv && env[app.portEnv] && Number(env[app.portEnv]) !== app.port) {
      problems.push(`services.${app.name}.environment.${app.portEnv}: ${env[app.portEnv]}, expected ${app.port}`);
    }
    const dataMount = serviceMounts(svc).find((m) => m.target === DATA_DIR);
    if (app.usesUserData) {
      if (env.DATA_DIR !== DATA_DIR) problems.push(`services.${app.name}.environment.DATA_DIR: expected ${DATA_DIR}`);
      if (!dataMount || dataMount.type !== 'volume') problems.push(`services.${app.name}.volumes: the user-data named volume must be mounted at ${DATA_DIR}`);
    }
    if (app.kind === 'Deployment' && String(svc.restart ?? 'no') === 'no') problems.push(`services.${app.name}.restart: long-running service without a restart policy`);
    if (app.kind === 'Job' && String(svc.restart ?? 'no') !== 'no') problems.push(`services.${app.name}.restart: one-shot must use restart "no"`);
  }
  if (builds.size > 1) problems.push(`app services use different build definitions: ${[...builds].join(' vs ')}`);
  if (images.size > 1) problems.push(`app services use different images: ${[...images].join(', ')} (one image for every app)`);

  // The user-data volume is one and the same for gateway and mcp-broker.
  const dataSources = APPS.filter((a) => a.usesUserData).map((a) => serviceMounts(services[a.name]).find((m) => m.target === DATA_DIR)?.source);
  if (new Set(dataSources).size > 1) problems.push(`gateway and mcp-broker must share one user-data volume, got ${dataSources.join(', ')}`);

  // Ordering that the topology requires.
  const need = (svc: string, dep: string, condition: string) => {
    const d = dependsOn(services[svc])[dep];
    if (!d || d.condition !== condition) problems.push(`services.${svc}.depends_on.${dep}: expected condition ${condition}`);
  };
  need('migrate', 'postgres', 'service_healthy');
  need('conversations', 'migrate', 'service_completed_successfully');
  need('conversations', 'postgres', 'service_healthy');
  need('conversations', 'redis', 'service_healthy');
  need('mcp-broker', 'redis', 'service_healthy');
  need('gateway', 'redis', 'service_healthy');

  // The gateway publishes its HTTP port.
  const gwPorts = publishedPorts(services.gateway);
  if (!gwPorts.some((p) => p.target === 3000)) problems.push('services.gateway.ports: container port 3000 is not published');

  // Only app services run dist/ paths; collect them for the build check.
  for (const [name, svc] of Object.entries<any>(services)) {
    if (!appByName(name) && distPathsIn(argv(svc.command)).length) problems.push(`services.${name}: runs a dist/ path but is not a known app`);
  }
  return problems;
}

/** Backing services: pinned images, persistence and health. */
export function checkInfraServices(compose: any): string[] {
  const problems: string[] = [];
  const { postgres, redis } = compose.services ?? {};
  if (!postgres) problems.push('services.postgres: missing');
  else {
    if (postgres.image !== 'postgres:17') problems.push(`services.postgres.image: ${postgres.image}, expected postgres:17`);
    const env = serviceEnv(postgres);
    for (const k of ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']) if (!env[k]) problems.push(`services.postgres.environment.${k}: not set`);
    if (!serviceMounts(postgres).some((m) => m.type === 'volume' && m.source && m.target === '/var/lib/postgresql/data')) {
      problems.push('services.postgres.volumes: no named volume at /var/lib/postgresql/data');
    }
    if (!/pg_isready/.test(healthcheckText(postgres))) problems.push('services.postgres.healthcheck: expected pg_isready');
  }
  if (!redis) problems.push('services.redis: missing');
  else {
    if (redis.image !== 'redis:7') problems.push(`services.redis.image: ${redis.image}, expected redis:7`);
    if (!/redis-cli\s+ping/.test(healthcheckText(redis))) problems.push('services.redis.healthcheck: expected redis-cli ping');
  }
  return problems;
}

/** Variables without a default would make `docker compose up` depend on the caller's shell. */
export function checkInterpolationDefaults(uses: VarUse[]): string[] {
  return uses.filter((u) => u.op === null).map((u) => `${u.where}: \${${u.name}} has no default — use \${${u.name}:-default} (or :? to require it)`);
}

/** The values the compose file gives the apps, keyed by app name (after interpolation). */
export function appEnvironments(compose: any): Record<string, Env> {
  return Object.fromEntries(APPS.map((a) => [a.name, serviceEnv(compose.services?.[a.name])]));
}
