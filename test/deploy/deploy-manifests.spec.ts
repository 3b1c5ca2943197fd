// Static validation of the deployment descriptors: Dockerfile, .dockerignore,
// docker-compose.yml and k8s/. No network, no Docker engine, no kubectl.
//
//   NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects deploy
//
// Every semantic checker returns a list of problems; besides running them on
// the real files, each is fed a deliberately broken copy to prove it bites.
import { APPS, distPathsIn, parseYaml, readText } from './lib/repo.js';
import { checkBuiltPath, entryOutput, loadBuildProjects } from './lib/build-outputs.js';
import {
  appEnvironments,
  checkAppServices,
  checkDependsOn,
  checkHealthchecks,
  checkInfraServices,
  checkInterpolationDefaults,
  checkPorts,
  checkVolumes,
  compileComposeValidator,
  interpolate,
  interpolateString,
  type VarUse,
} from './lib/compose.js';
import {
  appEnvNames,
  applyJsonPatch,
  checkApps,
  checkHardening,
  checkProduction,
  checkReferences,
  label,
  loadKustomization,
  mergePatch,
  podSpecOf,
  strictFieldCheck,
  validateWithModels,
  type Manifest,
} from './lib/k8s.js';
import { checkDockerfile, checkDockerignore, defaultCommand, isIgnored, parseDockerfile, parseDockerignore } from './lib/dockerfile.js';

const clone = <T>(v: T): T => structuredClone(v);
const EXPECTED_DIST_PATHS = APPS.map((a) => a.command[1]);

// ---------------------------------------------------------------------------
/** What an operator must put in .env before `docker compose up`: the compose file refuses to start without it. */
const composeDotEnv = { JWT_SECRET: 'a-deploy-test-secret-of-forty-characters!' };

describe('build outputs referenced by the deployment', () => {
  const projects = loadBuildProjects();

  it('maps each app command to a source that `npm run build` compiles', () => {
    expect(projects.map((p) => p.name)).toEqual(expect.arrayContaining(['conversations', 'gateway', 'mcp-broker']));
    expect(EXPECTED_DIST_PATHS.flatMap((p) => checkBuiltPath(p, projects))).toEqual([]);
  });

  it('agrees with the Nest CLI entry files and the package.json start scripts', () => {
    for (const app of ['gateway', 'conversations', 'mcp-broker']) {
      const project = projects.find((p) => p.name === app)!;
      expect(entryOutput(project)).toBe(`dist/apps/${app}/src/main.js`);
    }
    const scripts = JSON.parse(readText('package.json')).scripts ?? {};
    const fromScripts = ['start:gateway', 'start:conversations', 'start:mcp-broker', 'migrate'].flatMap((s) => distPathsIn(scripts[s]));
    expect(fromScripts.sort()).toEqual([...EXPECTED_DIST_PATHS].sort());
  });

  it('rejects a path that no build produces', () => {
    expect(checkBuiltPath('dist/apps/gateway/src/mian.js', projects)).toEqual([expect.stringContaining('no build produces it')]);
    expect(checkBuiltPath('build/gateway.js', projects)).toEqual([expect.stringContaining('not under the outDir')]);
  });
});

// ---------------------------------------------------------------------------
describe('Dockerfile', () => {
  const text = readText('Dockerfile');

  it('parses into deps -> build -> prod-deps -> runtime stages on Node 24', () => {
    const { stages } = parseDockerfile(text);
    expect(stages.map((s) => s.name)).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
    expect(stages.every((s) => /^node:24-/.test(s.rootImage))).toBe(true);
  });

  it('passes the static checks (non-root, NODE_ENV, caching, prod deps, copies, CMD)', () => {
    expect(checkDockerfile(text, EXPECTED_DIST_PATHS)).toEqual([]);
  });

  it('defaults to a command the build produces', () => {
    const cmd = defaultCommand(text)!;
    expect(distPathsIn(cmd).flatMap((p) => checkBuiltPath(p, loadBuildProjects()))).toEqual([]);
  });

  it('catches a root runtime, a wrong Node major and a cache-busting COPY', () => {
    const rootUser = text.replace(/^USER node$/m, 'USER root');
    expect(checkDockerfile(rootUser, EXPECTED_DIST_PATHS)).toContain('runtime stage: USER root is root');
    const noUser = text.replace(/^USER node$/m, '');
    expect(checkDockerfile(noUser, EXPECTED_DIST_PATHS)).toContain('runtime stage: no USER instruction (would run as root)');
    const node22 = text.replace('node:24-bookworm-slim', 'node:22-bookworm-slim');
    expect(checkDockerfile(node22, EXPECTED_DIST_PATHS).join('\n')).toMatch(/is not Node 24/);
    const bustCache = text.replace('COPY package.json package-lock.json ./\n# Full install', 'COPY . .\n# Full install');
    expect(checkDockerfile(bustCache, EXPECTED_DIST_PATHS).join('\n')).toMatch(/npm ci` runs after copying the whole context/);
    const wrongCmd = text.replace('CMD ["node", "dist/apps/gateway/src/main.js"]', 'CMD ["node", "dist/main.js"]');
    expect(checkDockerfile(wrongCmd, EXPECTED_DIST_PATHS).join('\n')).toMatch(/does not run one of/);
  });
});

describe('.dockerignore', () => {
  const text = readText('.dockerignore');

  it('keeps local state out of the context and the build inputs in', () => {
    expect(checkDockerignore(text)).toEqual([]);
  });

  it('implements the matching rules the checks rely on', () => {
    const rules = parseDockerignore('node_modules\n**/*.log\n!keep.log\n/dist/');
    expect(isIgnored(rules, 'node_modules/a/b.js')).toBe(true);
    expect(isIgnored(rules, 'apps/x/node_modules')).toBe(false);
    expect(isIgnored(rules, 'a/b/c.log')).toBe(true);
    expect(isIgnored(rules, 'keep.log')).toBe(false);
    expect(isIgnored(rules, 'dist/x.js')).toBe(true);
    expect(checkDockerignore('node_modules\ndist\n.git\n.env\ndata\nconfig\n')).toEqual([
      '.dockerignore does not exclude apps/web/node_modules/y',
      '.dockerignore excludes config/mcp-servers.json, which the build needs',
    ]);
  });
});

// ---------------------------------------------------------------------------
describe('docker-compose.yml', () => {
  const raw = parseYaml(readText('docker-compose.yml'), 'docker-compose.yml');
  const uses: VarUse[] = [];
  // Interpolate as `docker compose` would with only the .env an operator must write (JWT_SECRET),
  // i.e. the defaults a first `docker compose up --build` gets.
  const compose = interpolate(raw, composeDotEnv, uses);
  const validate = compileComposeValidator();

  it('interpolates like docker compose', () => {
    const u: VarUse[] = [];
    expect(interpolateString('${A:-x}|${A-y}|${B:-${C:-z}}|$$HOME|${D:+set}', { A: '' }, u, 't')).toBe('x||z|$HOME|');
    expect(interpolateString('${A:-x}/${A}', { A: 'a' }, u, 't')).toBe('a/a');
    expect(() => interpolateString('${P:?set P}', {}, u, 't')).toThrow(/required variable P/);
  });

  it('gives every variable a default', () => {
    expect(uses.length).toBeGreaterThan(0);
    expect(checkInterpolationDefaults(uses)).toEqual([]);
    expect(uses.filter((u) => u.name === 'POSTGRES_PASSWORD').every((u) => u.op === ':-')).toBe(true);
  });

  it('is valid against the Compose Specification schema', () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('schema rejects unknown and mistyped keys', () => {
    const broken = clone(compose);
    broken.services.gateway.helthcheck = broken.services.gateway.healthcheck;
    broken.services.redis.depends_on = { postgres: { condition: 'service_ready' } };
    expect(validate(broken)).toBe(false);
    const messages = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join('\n');
    expect(messages).toMatch(/helthcheck/);
    expect(messages).toMatch(/service_ready|allowedValues/);
  });

  it('has consistent depends_on, volumes, ports and healthchecks', () => {
    expect(checkDependsOn(compose)).toEqual([]);
    expect(checkVolumes(compose)).toEqual([]);
    expect(checkPorts(compose)).toEqual([]);
    expect(checkHealthchecks(compose)).toEqual([]);
  });

  it('runs every app from one image with the right commands, env and ordering', () => {
    expect(checkAppServices(compose)).toEqual([]);
    expect(checkInfraServices(compose)).toEqual([]);
  });

  it('runs commands that the build produces', () => {
    const projects = loadBuildProjects();
    const fallback = defaultCommand(readText('Dockerfile'));
    const paths = Object.entries<any>(compose.services)
      .filter(([, s]) => s.build)
      .flatMap(([, s]) => distPathsIn(s.command ?? fallback));
    expect(new Set(paths)).toEqual(new Set(EXPECTED_DIST_PATHS));
    expect(paths.flatMap((p) => checkBuiltPath(p, projects))).toEqual([]);
  });

  it('catches semantic mistakes the schema allows', () => {
    const broken = clone(compose);
    broken.services.gateway.depends_on.conversatons = { condition: 'service_healthy' };
    broken.services.redis.depends_on = { gateway: { condition: 'service_started' } };
    broken.services['mcp-broker'].volumes = ['userdata:/data'];
    broken.services.redis.ports = ['3000:6379'];
    delete broken.services['mcp-broker'].healthcheck;
    broken.services.conversations.healthcheck.test[3] = broken.services.conversations.healthcheck.test[3].replace('3001', '3000');
    broken.services.migrate.restart = 'unless-stopped';
    broken.services.conversations.command = ['node', 'dist/apps/conversations/main.js'];
    const problems = [
      ...checkDependsOn(broken),
      ...checkVolumes(broken),
      ...checkPorts(broken),
      ...checkHealthchecks(broken),
      ...checkAppServices(broken),
    ].join('\n');
    expect(problems).toMatch(/unknown service "conversatons"/);
    expect(problems).toMatch(/depends_on cycle/);
    expect(problems).toMatch(/named volume "userdata" is not declared/);
    expect(problems).toMatch(/host port 3000\/tcp also published/);
    expect(problems).toMatch(/services.mcp-broker: no healthcheck/);
    expect(problems).toMatch(/condition service_healthy but "mcp-broker" has no healthcheck/);
    expect(problems).toMatch(/probes port 3000 but the app listens on 3001/);
    expect(problems).toMatch(/restarts it after success/);
    expect(problems).toMatch(/services.conversations.command/);
    expect(checkInterpolationDefaults([{ name: 'POSTGRES_PASSWORD', op: null, where: '/x' }])).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------
describe('Kubernetes manifests', () => {
  const prod = loadKustomization('k8s');
  const dev = loadKustomization('k8s/dev');
  // both renderings, without repeating documents the dev overlay leaves unchanged
  const all: Manifest[] = [...new Map([...prod.manifests, ...dev.manifests].map((m) => [`${m.file}#${m.index}:${JSON.stringify(m.doc)}`, m])).values()];

  it('kustomizations resolve, reference every manifest file, and have live image overrides', () => {
    expect(prod.problems).toEqual([]);
    expect(dev.problems).toEqual([]);
    const kinds = prod.manifests.map((m) => m.doc.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'Namespace', 'PersistentVolumeClaim', 'Secret', 'Service']),
    );
    expect(prod.config.images).toEqual([expect.objectContaining({ name: 'mcp-dataflow-chat' })]);
  });

  it('applies overlay patches the way kustomize does, and rejects patches of missing paths', () => {
    const doc = { spec: { replicas: 2, list: ['a'] } };
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '/spec/replicas', value: 1 }, { op: 'add', path: '/spec/list/-', value: 'b' }])).toEqual({
      spec: { replicas: 1, list: ['a', 'b'] },
    });
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/replicaz', value: 1 }])).toThrow(/path does not exist/);
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1] }, { a: { b: 3 }, l: [2] })).toEqual({ a: { b: 3, c: 2 }, l: [2] });
  });

  it('every document is valid against the Kubernetes OpenAPI schemas (kubernetes-models)', async () => {
    expect(await validateWithModels(all)).toEqual([]);
    // the dev overlay's documents are validated with its patches applied
    expect(dev.manifests.find((m) => m.doc.kind === 'PersistentVolumeClaim')?.doc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(dev.manifests.find((m) => m.doc.kind === 'Secret' && m.doc.metadata.name === 'app-secrets')?.doc.stringData.REDIS_URL).toBe('redis://redis:6379');
  });

  it('has no unknown fields (strict, like kubectl --validate=strict)', () => {
    expect(strictFieldCheck(all)).toEqual([]);
  });

  it('has consistent references, selectors and HPA targets', () => {
    expect(checkReferences(prod.manifests)).toEqual([]);
    expect(checkReferences(dev.manifests)).toEqual([]);
  });

  it('hardens every container (non-root, read-only FS, no caps, seccomp, resources)', () => {
    expect(checkHardening(all)).toEqual([]);
  });

  it('runs each app with the right command, env, probes and volumes', () => {
    expect(checkApps(prod.manifests)).toEqual([]);
    expect(checkApps(dev.manifests)).toEqual([]);
    expect(checkProduction(prod.manifests)).toEqual([]);
  });

  it('runs commands that the build produces', () => {
    const projects = loadBuildProjects();
    const paths = all.flatMap((m) => (podSpecOf(m.doc)?.containers ?? []).flatMap((c: any) => distPathsIn([...(c.command ?? []), ...(c.args ?? [])])));
    expect(new Set(paths)).toEqual(new Set(EXPECTED_DIST_PATHS));
    expect(paths.flatMap((p) => checkBuiltPath(p, projects))).toEqual([]);
  });

  it('gives each app the same environment variables as docker-compose.yml', () => {
    const compose = interpolate(parseYaml(readText('docker-compose.yml'), 'docker-compose.yml'), composeDotEnv, []);
    const composeEnv = appEnvironments(compose);
    const k8sEnv = appEnvNames(prod.manifests);
    for (const app of APPS) {
      expect({ app: app.name, env: k8sEnv[app.name] }).toEqual({ app: app.name, env: Object.keys(composeEnv[app.name]).sort() });
    }
  });

  it('catches schema errors, unknown fields and broken references', async () => {
    const deployment = prod.manifests.find((m) => m.doc.kind === 'Deployment' && m.doc.metadata.name === 'conversations')!;
    const broken: Manifest = { ...deployment, doc: clone(deployment.doc) };
    const c = broken.doc.spec.template.spec.containers[0];
    c.ports[0].containerPort = '3001';
    c.resources.limits.memory = 'lots';
    c.readinessProbes = c.readinessProbe;
    delete c.readinessProbe;
    c.livenessProbe.httpGet.port = 'http';
    c.securityContext.readOnlyRootFilesystem = false;
    c.env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.key = 'DB_URL';
    broken.doc.spec.selector.matchLabels['app.kubernetes.io/component'] = 'conversation';
    const schema = (await validateWithModels([broken])).join('\n');
    expect(schema).toMatch(/containerPort must be integer/);
    expect(schema).toMatch(/memory must match format "quantity"/);
    // TypeScript reports one error per object literal, so test the unknown field on its own
    const typo: Manifest = { ...deployment, doc: clone(deployment.doc) };
    const tc = typo.doc.spec.template.spec.containers[0];
    tc.readinessProbes = tc.readinessProbe;
    delete tc.readinessProbe;
    typo.doc.spec.replica = 3;
    expect(await validateWithModels([typo])).toEqual([]); // the schema alone lets it through
    const strict = strictFieldCheck([typo]).join('\n');
    expect(strict).toMatch(/unknown field \.spec\.template\.spec\.containers\[0\]\.readinessProbes \(not in IContainer\)/);
    expect(strict).toMatch(/unknown field \.spec\.replica \(not in IDeploymentSpec\)/);
    const others = prod.manifests.filter((m) => m !== deployment);
    const semantic = [...checkReferences([...others, broken]), ...checkHardening([broken]), ...checkApps([...others, broken])].join('\n');
    expect(semantic).toMatch(/missing key "DB_URL"/);
    expect(semantic).toMatch(/selector.matchLabels does not match/);
    expect(semantic).toMatch(/readOnlyRootFilesystem is not true/);
    expect(semantic).toMatch(/readinessProbe \(httpGet\) missing/);
    expect(semantic).toMatch(/livenessProbe port http resolves to undefined, expected 3001/);
    const hpa = prod.manifests.find((m) => m.doc.kind === 'HorizontalPodAutoscaler')!;
    const badHpa: Manifest = { ...hpa, doc: clone(hpa.doc) };
    badHpa.doc.spec.scaleTargetRef.name = 'gateway-v2';
    expect(checkReferences([...prod.manifests.filter((m) => m !== hpa), badHpa]).join('\n')).toMatch(/scaleTargetRef .* not found/);
    expect(label(broken)).toBe('k8s/base/conversations.yaml#0 Deployment/conversations');
  });
});
