// Shared helpers for the deployment-manifest checks: repo paths, YAML loading,
// and the facts about the apps that the manifests must agree with.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const fromRoot = (...parts: string[]): string => path.join(repoRoot, ...parts);

export const readText = (rel: string): string => readFileSync(fromRoot(rel), 'utf8');

export const exists = (rel: string): boolean => existsSync(fromRoot(rel));

/** The image every app container runs (compose tag prefix / kustomize image name). */
export const APP_IMAGE_NAME = 'mcp-dataflow-chat';

export interface AppFact {
  /** compose service name == k8s workload name */
  name: string;
  /** what the container runs (argv) */
  command: string[];
  /** port the probes (and for the gateway, the API) listen on */
  port?: number;
  /** env var that sets that port */
  portEnv?: 'PORT' | 'HEALTH_PORT';
  /** env vars the app cannot start without */
  requiredEnv: string[];
  /** mounts the shared user-data volume at /data */
  usesUserData: boolean;
  /** k8s kind */
  kind: 'Deployment' | 'Job';
}

export const APPS: AppFact[] = [
  {
    name: 'gateway',
    command: ['node', 'dist/apps/gateway/src/main.js'],
    port: 3000,
    portEnv: 'PORT',
    requiredEnv: ['NODE_ENV', 'REDIS_URL', 'DATA_DIR'],
    usesUserData: true,
    kind: 'Deployment',
  },
  {
    name: 'conversations',
    command: ['node', 'dist/apps/conversations/src/main.js'],
    port: 3001,
    portEnv: 'HEALTH_PORT',
    requiredEnv: ['NODE_ENV', 'REDIS_URL', 'DATABASE_URL'],
    usesUserData: false,
    kind: 'Deployment',
  },
  {
    name: 'mcp-broker',
    command: ['node', 'dist/apps/mcp-broker/src/main.js'],
    port: 3002,
    portEnv: 'HEALTH_PORT',
    requiredEnv: ['NODE_ENV', 'REDIS_URL', 'DATA_DIR', 'MCP_CONFIG', 'USER_DATA_ROOT'],
    usesUserData: true,
    kind: 'Deployment',
  },
  {
    name: 'migrate',
    command: ['node', 'dist/apps/conversations/src/database/migrate.js'],
    requiredEnv: ['NODE_ENV', 'DATABASE_URL'],
    usesUserData: false,
    kind: 'Job',
  },
];

export const appByName = (name: string): AppFact | undefined => APPS.find((a) => a.name === name);

export const LIVE_PATH = '/health/live';
export const READY_PATH = '/health/ready';
export const DATA_DIR = '/data';

/** Parse one YAML document strictly (duplicate keys are errors), resolving `<<` merge keys. */
export function parseYaml(text: string, label: string): any {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length) {
    throw new Error(`${label}: YAML problems:\n${problems.map((e) => e.message).join('\n')}`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

/** Parse a multi-document YAML stream; empty documents (e.g. a trailing `---`) are dropped. */
export function parseYamlStream(text: string, label: string): any[] {
  const out: any[] = [];
  parseAllDocuments(text, { merge: true, uniqueKeys: true, prettyErrors: true }).forEach((doc, i) => {
    if ('empty' in doc) return; // EmptyStream
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length) {
      throw new Error(`${label}#${i}: YAML problems:\n${problems.map((e) => e.message).join('\n')}`);
    }
    const value = doc.toJS({ maxAliasCount: 1000 });
    if (value !== null && value !== undefined) out.push(value);
  });
  return out;
}

/** Extract `dist/...js` paths from an argv (or shell string). */
export function distPathsIn(argv: string[] | string | undefined): string[] {
  const text = Array.isArray(argv) ? argv.join(' ') : (argv ?? '');
  return [...text.matchAll(/(?:^|[\s"'=])((?:\.\/)?dist\/[\w./-]+\.m?js)\b/g)].map((m) => m[1].replace(/^\.\//, ''));
}
