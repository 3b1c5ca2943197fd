// Kubernetes manifests: loading through the kustomization files (without
// kubectl), schema validation with the generated validators of the
// `kubernetes-models` package (Kubernetes OpenAPI schemas compiled to Ajv
// code, offline), a strict unknown-field check with TypeScript excess-property
// checking against the same package's type declarations, and semantic checks.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { APPS, APP_IMAGE_NAME, DATA_DIR, LIVE_PATH, READY_PATH, appByName, exists, fromRoot, parseYaml, parseYamlStream, readText, repoRoot } from './repo.js';

export interface Manifest {
  /** file it came from, relative to the repo root */
  file: string;
  /** index within a multi-document file */
  index: number;
  doc: any;
}

export const label = (m: Manifest): string => `${m.file}#${m.index} ${m.doc?.kind}/${m.doc?.metadata?.name}`;

export interface Kustomization {
  dir: string; // relative to repo root
  config: any;
  /** manifests contributed by this kustomization and the ones it includes */
  manifests: Manifest[];
  /** files this kustomization (not its bases) references as patches */
  patchFiles: string[];
  problems: string[];
}

const isDir = (rel: string): boolean => exists(rel) && statSync(fromRoot(rel)).isDirectory();

/**
 * Resolve a kustomization's `resources` recursively (directories must hold a
 * kustomization.yaml), apply its patches, and return the manifests it emits.
 * The namespace/labels/images transformers are not applied (they cannot make a
 * valid document invalid); `kubectl kustomize` is the reference renderer.
 */
export function loadKustomization(dir: string, seen: string[] = []): Kustomization {
  const problems: string[] = [];
  const kfile = path.posix.join(dir, 'kustomization.yaml');
  if (!exists(kfile)) return { dir, config: {}, manifests: [], patchFiles: [], problems: [`${dir}: no kustomization.yaml`] };
  if (seen.includes(dir)) return { dir, config: {}, manifests: [], patchFiles: [], problems: [`${dir}: kustomization cycle via ${seen.join(' -> ')}`] };
  const config = parseYaml(readText(kfile), kfile);
  const manifests: Manifest[] = [];
  if (config.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || config.kind !== 'Kustomization') {
    problems.push(`${kfile}: expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization`);
  }
  for (const key of ['bases', 'patchesStrategicMerge', 'patchesJson6902', 'commonLabels', 'vars']) {
    if (key in config) problems.push(`${kfile}: deprecated field "${key}" (use resources/patches/labels/replacements)`);
  }
  for (const r of config.resources ?? []) {
    const rel = path.posix.normalize(path.posix.join(dir, r));
    if (/^[a-z]+:\/\//.test(r) || r.includes('?ref=')) {
      problems.push(`${kfile}: remote resource "${r}" (must stay offline/reproducible)`);
    } else if (isDir(rel)) {
      const sub = loadKustomization(rel, [...seen, dir]);
      manifests.push(...sub.manifests);
      problems.push(...sub.problems);
    } else if (exists(rel)) {
      parseYamlStream(readText(rel), rel).forEach((doc, index) => manifests.push({ file: rel, index, doc }));
    } else {
      problems.push(`${kfile}: resource "${r}" does not exist`);
    }
  }
  // Patches are applied (to copies) so that the checks see what this
  // kustomization really emits: strategic-merge patches from files (maps merged,
  // lists replaced — enough for the patches used here) and inline JSON 6902
  // patches with a target (add / replace / remove; paths must exist).
  const patchFiles: string[] = [];
  for (const p of config.patches ?? []) {
    const re = (s?: string) => (s ? new RegExp(`^(?:${s})$`) : null);
    if (p.path) {
      const rel = path.posix.normalize(path.posix.join(dir, p.path));
      if (!exists(rel)) {
        problems.push(`${kfile}: patch "${p.path}" does not exist`);
        continue;
      }
      patchFiles.push(rel);
      const patch = parseYaml(readText(rel), rel);
      const i = manifests.findIndex((m) => m.doc.kind === patch.kind && m.doc.metadata?.name === patch.metadata?.name);
      if (i < 0) problems.push(`${rel}: patches ${patch.kind}/${patch.metadata?.name}, which is not a resource of ${kfile}`);
      else manifests[i] = { ...manifests[i], doc: mergePatch(manifests[i].doc, patch) };
    } else if (p.patch && p.target) {
      const [kind, name] = [re(p.target.kind), re(p.target.name)];
      const ops = parseYaml(p.patch, `${kfile} inline patch`);
      let hits = 0;
      manifests.forEach((m, i) => {
        if ((kind && !kind.test(m.doc.kind)) || (name && !name.test(m.doc.metadata?.name))) return;
        hits++;
        try {
          manifests[i] = { ...m, doc: applyJsonPatch(m.doc, ops) };
        } catch (e: any) {
          problems.push(`${kfile}: patch on ${label(m)}: ${e.message}`);
        }
      });
      if (!hits) problems.push(`${kfile}: patch target ${JSON.stringify(p.target)} matches no resource`);
    } else {
      problems.push(`${kfile}: patch needs a path, or an inline patch with a target`);
    }
  }
  // every image override must hit a container image, or it silently does nothing
  const images = manifests.flatMap((m) => podSpecOf(m.doc)?.containers ?? []).map((c: any) => String(c.image).split(/[:@]/)[0]);
  for (const img of config.images ?? []) {
    if (!images.includes(img.name)) problems.push(`${kfile}: images[].name "${img.name}" matches no container image`);
  }
  // every manifest file in the directory must be referenced (resources or patches)
  const referenced = new Set([...(config.resources ?? []).map((r: string) => path.posix.normalize(path.posix.join(dir, r))), ...patchFiles]);
  for (const f of readdirSync(fromRoot(dir))) {
    const rel = path.posix.join(dir, f);
    if (/\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && !referenced.has(rel)) {
      problems.push(`${rel}: not listed in ${kfile} (it would never be applied)`);
    }
  }
  return { dir, config, manifests, patchFiles, problems };
}

export function mergePatch(target: any, patch: any): any {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch) || !target || typeof target !== 'object' || Array.isArray(target)) {
    return structuredClone(patch);
  }
  const out = structuredClone(target);
  for (const [k, v] of Object.entries(patch)) out[k] = v === null ? undefined : mergePatch(out[k], v);
  return out;
}

export function applyJsonPatch(doc: any, ops: any[]): any {
  const out = structuredClone(doc);
  for (const op of ops) {
    const parts = String(op.path).split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop()!;
    let parent = out;
    for (const p of parts) {
      if (parent?.[p] === undefined) throw new Error(`${op.op} ${op.path}: ${p} does not exist`);
      parent = parent[p];
    }
    const exists = Array.isArray(parent) ? Number(last) < parent.length : last in (parent ?? {});
    if (op.op === 'replace' || op.op === 'remove') {
      if (!exists) throw new Error(`${op.op} ${op.path}: path does not exist`);
      if (op.op === 'replace') parent[last] = op.value;
      else if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op.op === 'add') {
      if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
      else parent[last] = op.value;
    } else {
      throw new Error(`unsupported JSON patch op "${op.op}"`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Schema validation via kubernetes-models

/** `kubernetes-models/<group>/<version>/<Kind>` for a manifest, e.g. kubernetes-models/apps/v1/Deployment. */
export const modelModule = (doc: any): string => `kubernetes-models/${doc.apiVersion}/${doc.kind}`;

export async function validateWithModels(manifests: Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const m of manifests) {
    if (typeof m.doc?.apiVersion !== 'string' || typeof m.doc?.kind !== 'string') {
      problems.push(`${label(m)}: apiVersion and kind are required`);
      continue;
    }
    let mod: any;
    try {
      mod = await import(modelModule(m.doc));
    } catch {
      problems.push(`${label(m)}: unknown apiVersion/kind ${m.doc.apiVersion} ${m.doc.kind} (no model in kubernetes-models)`);
      continue;
    }
    const Model = mod[m.doc.kind];
    try {
      new Model(m.doc).validate();
    } catch (e: any) {
      const details = (e.errors ?? []).map((x: any) => `${x.instancePath || '/'} ${x.message}`);
      problems.push(`${label(m)}: ${details.length ? details.join('; ') : e.message}`);
    }
  }
  return problems;
}

/**
 * The OpenAPI schemas do not forbid unknown fields (the API server drops them,
 * or rejects them only with --validate=strict), so a typo such as
 * `readinessProbes:` passes schema validation. This check walks every object
 * of every document against kubernetes-models' TypeScript declarations of the
 * same API version (via the TypeScript checker, offline) and reports each key
 * the type does not declare, with its path. Type errors TypeScript finds are
 * reported too (it stops at the first one per document; Ajv above reports all).
 */
export function strictFieldCheck(manifests: Manifest[]): string[] {
  const virtualFile = path.join(repoRoot, 'test', 'deploy', '__k8s_strict_fields__.ts');
  const lines: string[] = [];
  manifests.forEach((m, i) => {
    lines.push(`import type { I${m.doc.kind} as T${i} } from ${JSON.stringify(modelModule(m.doc))};`);
    lines.push(`export const doc${i}: T${i} = ${JSON.stringify(m.doc)};`);
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  const isVirtual = (name: string) => path.resolve(name) === virtualFile;
  host.getSourceFile = (name, lang, ...rest) => (isVirtual(name) ? ts.createSourceFile(name, source, lang, true) : getSourceFile.call(host, name, lang, ...rest));
  host.fileExists = (name) => isVirtual(name) || fileExists.call(host, name);
  host.readFile = (name) => (isVirtual(name) ? source : readFile.call(host, name));
  const program = ts.createProgram([virtualFile], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(virtualFile)!;
  const problems: string[] = program.getGlobalDiagnostics().map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));

  // imports that do not resolve mean an unknown apiVersion/kind
  for (const d of program.getSemanticDiagnostics(file)) {
    const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
    const m = manifests[Math.floor(line / 2)];
    // 2353/2561: excess property — reported below, for every key, with its path
    if (d.code === 2353 || d.code === 2561) continue;
    problems.push(`${m ? label(m) : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }

  const typeName = (t: ts.Type) => checker.typeToString(t);
  const walk = (node: ts.Expression, at: string, m: Manifest): void => {
    if (ts.isArrayLiteralExpression(node)) {
      node.elements.forEach((e, i) => walk(e, `${at}[${i}]`, m));
      return;
    }
    if (!ts.isObjectLiteralExpression(node)) return;
    const contextual = checker.getContextualType(node);
    const members = contextual ? (contextual.isUnion() ? contextual.types : [contextual]).filter((t) => t.flags & ts.TypeFlags.Object) : [];
    const open =
      !members.length || members.some((t) => checker.getIndexInfoOfType(t, ts.IndexKind.String) || (t.flags & ts.TypeFlags.Any) !== 0);
    for (const prop of node.properties) {
      if (!ts.isPropertyAssignment(prop)) continue;
      const key = ts.isStringLiteral(prop.name) || ts.isIdentifier(prop.name) ? prop.name.text : prop.name.getText(file);
      if (!open && !members.some((t) => checker.getPropertyOfType(t, key))) {
        problems.push(`${label(m)}: unknown field ${at}.${key} (not in ${members.map(typeName).join(' | ')})`);
        continue; // nothing to check below an unknown field
      }
      walk(prop.initializer, `${at}.${key}`, m);
    }
  };
  let index = 0;
  for (const stmt of file.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    const init = stmt.declarationList.declarations[0]?.initializer;
    if (init) walk(init, '', manifests[index]);
    index++;
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Semantic checks

export function podSpecOf(doc: any): any | undefined {
  if (!doc) return undefined;
  if (doc.kind === 'Pod') return doc.spec;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(doc.kind)) return doc.spec?.template?.spec;
  if (doc.kind === 'CronJob') return doc.spec?.jobTemplate?.spec?.template?.spec;
  return undefined;
}

const podLabelsOf = (doc: any): Record<string, string> =>
  (doc.kind === 'CronJob' ? doc.spec?.jobTemplate?.spec?.template?.metadata?.labels : doc.spec?.template?.metadata?.labels) ?? {};

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

const find = (manifests: Manifest[], kind: string, name: string): Manifest | undefined =>
  manifests.find((m) => m.doc.kind === kind && m.doc.metadata?.name === name);

function containerEnv(manifests: Manifest[], c: any): { names: Set<string>; values: Record<string, string | undefined> } {
  const values: Record<string, string | undefined> = {};
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const src = ref && find(manifests, from.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
    for (const k of Object.keys({ ...(src?.doc.data ?? {}), ...(src?.doc.stringData ?? {}) })) values[(from.prefix ?? '') + k] = src?.doc.stringData?.[k] ?? src?.doc.data?.[k];
  }
  for (const e of c.env ?? []) values[e.name] = e.value;
  return { names: new Set(Object.keys(values)), values };
}

/** Cross-object references, selectors, names. Applies to every manifest. */
export function checkReferences(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const m of manifests) {
    const key = `${m.doc.kind}/${m.doc.metadata?.namespace ?? ''}/${m.doc.metadata?.name}`;
    if (keys.has(key)) problems.push(`${label(m)}: duplicate ${m.doc.kind} name`);
    keys.add(key);
  }
  const workloads = manifests.filter((m) => podSpecOf(m.doc));
  for (const m of workloads) {
    const spec = podSpecOf(m.doc);
    const labels = podLabelsOf(m.doc);
    if (m.doc.kind !== 'Job' && m.doc.kind !== 'CronJob' && !matches(m.doc.spec?.selector?.matchLabels, labels)) {
      problems.push(`${label(m)}: spec.selector.matchLabels does not match the pod template labels`);
    }
    const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [v.name, v]));
    const claimTemplates = new Set((m.doc.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name));
    for (const v of spec.volumes ?? []) {
      if (v.persistentVolumeClaim && !find(manifests, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName)) {
        problems.push(`${label(m)}: volume ${v.name} claims unknown PVC "${v.persistentVolumeClaim.claimName}"`);
      }
      if (v.configMap && !find(manifests, 'ConfigMap', v.configMap.name)) problems.push(`${label(m)}: volume ${v.name} uses unknown ConfigMap "${v.configMap.name}"`);
      if (v.secret && !find(manifests, 'Secret', v.secret.secretName)) problems.push(`${label(m)}: volume ${v.name} uses unknown Secret "${v.secret.secretName}"`);
    }
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const vm of c.volumeMounts ?? []) {
        if (!volumes.has(vm.name) && !claimTemplates.has(vm.name)) problems.push(`${label(m)}: container ${c.name} mounts undefined volume "${vm.name}"`);
      }
      for (const from of c.envFrom ?? []) {
        const ref = from.configMapRef ?? from.secretRef;
        const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
        if (ref && !ref.optional && !find(manifests, kind, ref.name)) problems.push(`${label(m)}: container ${c.name} envFrom unknown ${kind} "${ref.name}"`);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
        if (!ref || ref.optional) continue;
        const kind = e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap';
        const src = find(manifests, kind, ref.name);
        if (!src) problems.push(`${label(m)}: env ${e.name} references unknown ${kind} "${ref.name}"`);
        else if (!(ref.key in { ...(src.doc.data ?? {}), ...(src.doc.stringData ?? {}) })) {
          problems.push(`${label(m)}: env ${e.name} references missing key "${ref.key}" of ${kind} ${ref.name}`);
        }
      }
      const names = (c.env ?? []).map((e: any) => e.name);
      const dup = names.filter((n: string, i: number) => names.indexOf(n) !== i);
      if (dup.length) problems.push(`${label(m)}: container ${c.name} sets env ${dup.join(', ')} twice`);
    }
  }
  for (const m of manifests.filter((x) => x.doc.kind === 'Service')) {
    const targets = workloads.filter((w) => matches(m.doc.spec?.selector, podLabelsOf(w.doc)));
    if (!targets.length) {
      problems.push(`${label(m)}: selector matches no workload`);
      continue;
    }
    for (const p of m.doc.spec?.ports ?? []) {
      const tp = p.targetPort ?? p.port;
      const ok = targets.every((w) =>
        (podSpecOf(w.doc).containers ?? []).some((c: any) => (c.ports ?? []).some((cp: any) => (typeof tp === 'number' ? cp.containerPort === tp : cp.name === tp))),
      );
      if (!ok) problems.push(`${label(m)}: targetPort ${tp} is not a container port of the selected pods`);
    }
  }
  for (const m of manifests.filter((x) => x.doc.kind === 'PodDisruptionBudget')) {
    if (!workloads.some((w) => matches(m.doc.spec?.selector?.matchLabels, podLabelsOf(w.doc)))) problems.push(`${label(m)}: selector matches no workload`);
  }
  for (const m of manifests.filter((x) => x.doc.kind === 'HorizontalPodAutoscaler')) {
    const ref = m.doc.spec?.scaleTargetRef ?? {};
    const target = find(manifests, ref.kind, ref.name);
    if (!target || target.doc.apiVersion !== ref.apiVersion) {
      problems.push(`${label(m)}: scaleTargetRef ${ref.apiVersion} ${ref.kind}/${ref.name} not found`);
      continue;
    }
    if (target.doc.spec?.replicas !== undefined) problems.push(`${label(target)}: sets spec.replicas although ${label(m)} owns the replica count`);
    for (const metric of m.doc.spec?.metrics ?? []) {
      const r = metric.resource;
      if (metric.type === 'Resource' && r?.target?.type === 'Utilization') {
        for (const c of podSpecOf(target.doc).containers ?? []) {
          if (!c.resources?.requests?.[r.name]) problems.push(`${label(m)}: ${r.name} utilization needs resources.requests.${r.name} on container ${c.name}`);
        }
      }
    }
  }
  return problems;
}

/** Non-root, read-only root FS, no capabilities, seccomp, resources — for every container. */
export function checkHardening(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of manifests) {
    const spec = podSpecOf(m.doc);
    if (!spec) continue;
    const pod = spec.securityContext ?? {};
    if (spec.automountServiceAccountToken !== false) problems.push(`${label(m)}: set automountServiceAccountToken: false (no app talks to the API server)`);
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push(`${label(m)}: uses host namespaces`);
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const sc = { ...pod, ...(c.securityContext ?? {}) };
      const where = `${label(m)} container ${c.name}`;
      if (sc.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (sc.runAsUser === 0) problems.push(`${where}: runAsUser 0`);
      if (typeof sc.runAsUser !== 'number') problems.push(`${where}: set a numeric runAsUser (a named image USER cannot be verified as non-root)`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (c.securityContext?.privileged) problems.push(`${where}: privileged`);
      if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities.drop does not include ALL`);
      if ((c.securityContext?.capabilities?.add ?? []).length) problems.push(`${where}: adds capabilities`);
      if (!sc.seccompProfile?.type) problems.push(`${where}: no seccompProfile`);
      for (const kind of ['requests', 'limits']) {
        for (const r of ['cpu', 'memory']) if (!c.resources?.[kind]?.[r]) problems.push(`${where}: resources.${kind}.${r} not set`);
      }
      if (/:latest$|^[^:@]+$/.test(String(c.image)) && String(c.image) !== APP_IMAGE_NAME) problems.push(`${where}: image "${c.image}" is not pinned to a tag`);
    }
  }
  return problems;
}

const portNumber = (c: any, port: number | string): number | undefined =>
  typeof port === 'number' ? port : (c.ports ?? []).find((p: any) => p.name === port)?.containerPort;

/** The app workloads: command, ports, env, probes, volumes, image. */
export function checkApps(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const app of APPS) {
    const m = find(manifests, app.kind, app.name);
    if (!m) {
      problems.push(`${app.kind} ${app.name}: missing`);
      continue;
    }
    const spec = podSpecOf(m.doc);
    const c = (spec.containers ?? []).find((x: any) => x.name === app.name) ?? spec.containers?.[0];
    const where = `${label(m)} container ${c?.name}`;
    if (!c) {
      problems.push(`${label(m)}: no container`);
      continue;
    }
    if (String(c.image).split(/[:@]/)[0] !== APP_IMAGE_NAME) problems.push(`${where}: image "${c.image}", expected "${APP_IMAGE_NAME}" (set registry/tag with kustomize images)`);
    // `command` would replace the image ENTRYPOINT (tini); args replace CMD.
    if (c.command) problems.push(`${where}: use args, not command (command replaces the image's tini ENTRYPOINT)`);
    if (JSON.stringify(c.args) !== JSON.stringify(app.command)) problems.push(`${where}: args ${JSON.stringify(c.args)}, expected ${JSON.stringify(app.command)}`);
    const { names, values } = containerEnv(manifests, c);
    for (const k of app.requiredEnv) if (!names.has(k)) problems.push(`${where}: env ${k} is not provided`);
    if (values.NODE_ENV !== undefined && values.NODE_ENV !== 'production') problems.push(`${where}: NODE_ENV=${values.NODE_ENV}`);
    if (app.usesUserData) {
      if (values.DATA_DIR !== DATA_DIR) problems.push(`${where}: DATA_DIR must be ${DATA_DIR}`);
      const vm = (c.volumeMounts ?? []).find((x: any) => x.mountPath === DATA_DIR);
      const vol = vm && (spec.volumes ?? []).find((v: any) => v.name === vm.name);
      if (!vol?.persistentVolumeClaim) problems.push(`${where}: the user-data PVC must be mounted at ${DATA_DIR}`);
    }
    if (c.securityContext?.readOnlyRootFilesystem && !(c.volumeMounts ?? []).some((x: any) => x.mountPath === '/tmp')) {
      problems.push(`${where}: read-only root filesystem without a writable /tmp`);
    }
    if (app.kind === 'Job') {
      if (!['Never', 'OnFailure'].includes(spec.restartPolicy)) problems.push(`${label(m)}: restartPolicy must be Never or OnFailure`);
      if (m.doc.spec?.backoffLimit === undefined) problems.push(`${label(m)}: set backoffLimit`);
      continue;
    }
    // Probes: on the app's port, live/ready paths, plus a startup probe.
    const envPort = values[app.portEnv!];
    if (Number(envPort ?? app.port) !== app.port) problems.push(`${where}: ${app.portEnv}=${envPort}, expected ${app.port}`);
    if (!(c.ports ?? []).some((p: any) => p.containerPort === app.port)) problems.push(`${where}: containerPort ${app.port} not declared`);
    const probes: [string, string][] = [
      ['startupProbe', LIVE_PATH],
      ['livenessProbe', LIVE_PATH],
      ['readinessProbe', READY_PATH],
    ];
    for (const [probe, wantPath] of probes) {
      const p = c[probe];
      if (!p?.httpGet) {
        problems.push(`${where}: ${probe} (httpGet) missing`);
        continue;
      }
      if (p.httpGet.path !== wantPath) problems.push(`${where}: ${probe} path ${p.httpGet.path}, expected ${wantPath}`);
      const port = portNumber(c, p.httpGet.port);
      if (port !== app.port) problems.push(`${where}: ${probe} port ${p.httpGet.port} resolves to ${port}, expected ${app.port}`);
    }
  }
  // the user-data claim is shared by pods on different nodes
  const pvcs = new Set(
    APPS.filter((a) => a.usesUserData).flatMap((a) => (podSpecOf(find(manifests, a.kind, a.name)?.doc)?.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean)),
  );
  if (pvcs.size !== 1) problems.push(`gateway and mcp-broker must mount one shared user-data PVC, got ${[...pvcs].join(', ') || 'none'}`);
  return problems;
}

/** Production-only expectations (not the dev overlay). */
export function checkProduction(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const hpa = manifests.find((m) => m.doc.kind === 'HorizontalPodAutoscaler' && m.doc.spec?.scaleTargetRef?.name === 'gateway');
  if (!hpa) problems.push('no HorizontalPodAutoscaler for the gateway');
  else if (hpa.doc.apiVersion !== 'autoscaling/v2') problems.push(`${label(hpa)}: use autoscaling/v2`);
  else if ((hpa.doc.spec.minReplicas ?? 1) < 2) problems.push(`${label(hpa)}: minReplicas < 2 leaves no redundancy`);
  for (const m of manifests.filter((x) => x.doc.kind === 'PersistentVolumeClaim')) {
    const users = manifests.filter((w) => (podSpecOf(w.doc)?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === m.doc.metadata.name));
    if (users.length > 1 && !(m.doc.spec?.accessModes ?? []).includes('ReadWriteMany')) {
      problems.push(`${label(m)}: mounted by ${users.map((u) => u.doc.metadata.name).join(' and ')} (on any node) but not ReadWriteMany`);
    }
  }
  for (const m of manifests.filter((x) => x.doc.kind === 'Secret')) {
    for (const [k, v] of Object.entries<string>(m.doc.stringData ?? {})) {
      if (!/CHANGE[_-]?ME/i.test(v)) problems.push(`${label(m)}: ${k} is not a CHANGE_ME placeholder — never commit real credentials`);
    }
    if (m.doc.data && Object.keys(m.doc.data).length) problems.push(`${label(m)}: use stringData placeholders, not base64 data`);
  }
  for (const kind of ['StatefulSet']) {
    for (const m of manifests.filter((x) => x.doc.kind === kind)) problems.push(`${label(m)}: production uses managed Postgres/Redis; in-cluster databases belong in k8s/dev`);
  }
  return problems;
}

/** Names of env vars each app container gets (for the compose <-> k8s comparison). */
export function appEnvNames(manifests: Manifest[]): Record<string, string[]> {
  return Object.fromEntries(
    APPS.map((a) => {
      const m = find(manifests, a.kind, a.name);
      const c = m && (podSpecOf(m.doc).containers ?? []).find((x: any) => x.name === a.name);
      return [a.name, c ? [...containerEnv(manifests, c).names].sort() : []];
    }),
  );
}

export { appByName };
