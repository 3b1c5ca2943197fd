import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, type McpServerScope, qualifiedNameSeparator } from '@dataflow/shared';

/** When a crashed server is started again, and when the broker stops trying. */
export interface RestartPolicy {
  /** `never`: a crash leaves the server failed. */
  mode: 'on-failure' | 'never';
  /** This many crashes within `windowMs` mark the server failed. */
  maxCrashes: number;
  windowMs: number;
  /** The first restart waits this long; each further one waits twice as long, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

interface CommonDefinition {
  enabled: boolean;
  scope: McpServerScope;
  description?: string;
  /** Default timeout of a call; a call may set its own. */
  timeoutMs: number;
  /** How often the connection is pinged; a ping unanswered within `pingTimeoutMs` restarts the server. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  restart: RestartPolicy;
  toolAllowlist?: string[];
  toolDenylist?: string[];
}

export interface StdioDefinition extends CommonDefinition {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface HttpDefinition extends CommonDefinition {
  transport: 'streamable-http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

/** One entry of the Claude-Desktop-style `mcpServers` file, with our own optional keys. */
export type McpServerDefinition = StdioDefinition | HttpDefinition;

/** A server whose entry is wrong is kept, so that the API can show why it does not run. */
export interface InvalidDefinition {
  transport: 'invalid';
  problem: string;
  description?: string;
}

export interface McpConfig {
  servers: Map<string, McpServerDefinition | InvalidDefinition>;
  /** Each entry as written, to tell on reload which servers changed. */
  fingerprints: Map<string, string>;
}

export const defaultCallTimeoutMs = 120_000;

const serverName = /^[A-Za-z0-9_-]{1,64}$/;
const stringMap = z.record(z.string(), z.string());
const ms = (max: number) => z.number().int().min(1).max(max);

const restartSchema = z.union([
  z.literal('never'),
  z
    .object({
      maxCrashes: z.number().int().min(1).max(1_000).default(5),
      windowMs: ms(86_400_000).default(60_000),
      initialDelayMs: ms(600_000).default(500),
      maxDelayMs: ms(3_600_000).default(30_000),
    })
    .strict(),
]);

const common = {
  enabled: z.boolean().default(true),
  scope: z.enum(['shared', 'user']).default('shared'),
  description: z.string().max(500).optional(),
  timeoutMs: ms(3_600_000).default(defaultCallTimeoutMs),
  pingIntervalMs: ms(3_600_000).default(30_000),
  pingTimeoutMs: ms(600_000).default(10_000),
  restart: restartSchema.default({ maxCrashes: 5, windowMs: 60_000, initialDelayMs: 500, maxDelayMs: 30_000 }),
  toolAllowlist: z.array(z.string()).optional(),
  toolDenylist: z.array(z.string()).optional(),
};

const stdioSchema = z
  .object({
    type: z.literal('stdio').optional(),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: stringMap.default({}),
    cwd: z.string().optional(),
    ...common,
  })
  .strict();

const httpSchema = z
  .object({
    type: z.enum(['streamable-http', 'sse', 'http']).default('streamable-http'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    headers: stringMap.default({}),
    ...common,
  })
  .strict();

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `"${issue.path.join('.')}": ${issue.message}` : issue.message)).join('; ');
}

function parseServer(name: string, raw: unknown): McpServerDefinition {
  if (!serverName.test(name) || name.includes(qualifiedNameSeparator)) {
    throw new Error(`its name must be 1-64 letters, digits, _ or - without "${qualifiedNameSeparator}"`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('it must be an object');
  const isStdio = 'command' in raw;
  if (!isStdio && !('url' in raw)) throw new Error('it needs either "command" (stdio) or "url" (streamable-http, sse)');
  const parsed = (isStdio ? stdioSchema : httpSchema).safeParse(raw);
  if (!parsed.success) throw new Error(describeIssues(parsed.error));
  const { restart, type, ...rest } = parsed.data;
  const policy: RestartPolicy = restart === 'never'
    ? { mode: 'never', maxCrashes: 1, windowMs: 1, initialDelayMs: 1, maxDelayMs: 1 }
    : { mode: 'on-failure', ...restart };
  if (policy.initialDelayMs > policy.maxDelayMs) throw new Error('"restart.initialDelayMs" must not exceed "restart.maxDelayMs"');
  if ('command' in rest) return { ...rest, transport: 'stdio', restart: policy } as StdioDefinition;
  return { ...rest, transport: type === 'sse' ? 'sse' : 'streamable-http', restart: policy } as HttpDefinition;
}

/** Parses the file's text. A broken file is a ConfigError; a broken entry only marks that server invalid. */
export function parseMcpConfig(text: string, path: string): McpConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`MCP_CONFIG: ${path} is not valid JSON (${(error as Error).message})`]);
  }
  const entries = (document as { mcpServers?: unknown } | null)?.mcpServers;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    throw new ConfigError([`MCP_CONFIG: ${path} must be an object with an "mcpServers" object`]);
  }
  const servers = new Map<string, McpServerDefinition | InvalidDefinition>();
  const fingerprints = new Map<string, string>();
  for (const [name, raw] of Object.entries(entries)) {
    fingerprints.set(name, JSON.stringify(raw));
    try {
      servers.set(name, parseServer(name, raw));
    } catch (error) {
      const description = typeof (raw as { description?: unknown })?.description === 'string' ? (raw as { description: string }).description : undefined;
      servers.set(name, { transport: 'invalid', problem: `server "${name}" in ${path}: ${(error as Error).message}`, description });
    }
  }
  return { servers, fingerprints };
}

export async function loadMcpConfig(path: string): Promise<McpConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`MCP_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  return parseMcpConfig(text, path);
}

/** Whether the tool may be offered, by the server's allow and deny lists. */
export function isToolAllowed(definition: McpServerDefinition, tool: string): boolean {
  if (definition.toolAllowlist && !definition.toolAllowlist.includes(tool)) return false;
  return !definition.toolDenylist?.includes(tool);
}
