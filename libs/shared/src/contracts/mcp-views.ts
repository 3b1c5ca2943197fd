/**
 * The MCP broker as the API shows it: servers, their state and tools, a config reload's report.
 * Plain types and functions only (no decorators, no Node): the web app imports this file too.
 */

export type McpTransportKind = 'stdio' | 'streamable-http' | 'sse';

/** `shared`: one instance for everyone. `user`: one instance per user, started on first use. */
export type McpServerScope = 'shared' | 'user';

/**
 * Where an MCP server instance is in its life:
 * starting → ready → degraded → restarting → failed | disabled.
 * `idle` is a per-user server with no instance for the asking user yet; it starts on first use.
 */
export type McpServerState = 'idle' | 'starting' | 'ready' | 'degraded' | 'restarting' | 'failed' | 'disabled';

/** The separator of a qualified name, `server__tool`. Server names cannot contain it. */
export const qualifiedNameSeparator = '__';

export function qualifiedName(server: string, name: string): string {
  return `${server}${qualifiedNameSeparator}${name}`;
}

/** Splits `server__tool`; undefined when the name has no separator. */
export function splitQualifiedName(name: string): { server: string; name: string } | undefined {
  const at = name.indexOf(qualifiedNameSeparator);
  if (at <= 0 || at + qualifiedNameSeparator.length >= name.length) return undefined;
  return { server: name.slice(0, at), name: name.slice(at + qualifiedNameSeparator.length) };
}

/** A configured MCP server as the API shows it: its command line and env never, secrets as `***`. */
export interface McpServerSummary {
  name: string;
  transport: McpTransportKind;
  scope: McpServerScope;
  enabled: boolean;
  description?: string;
  state: McpServerState;
  /** When the state last changed (ISO 8601), and how long ago in milliseconds. */
  stateSince: string;
  stateAgeMs: number;
  restarts: number;
  lastError?: string;
  toolCount: number;
  /** Per-user servers: how many users' instances this broker runs now. */
  instances?: number;
}

/** The definition as an admin may see it: `${VAR}` templates kept, every env and header value masked. */
export interface McpServerDefinitionView {
  command?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  toolAllowlist?: string[];
  toolDenylist?: string[];
}

export interface McpServerDetail extends McpServerSummary {
  definition: McpServerDefinitionView;
  tools: McpToolInfo[];
  /** The last lines the server wrote to stderr (stdio servers), with secrets masked. */
  stderr: string[];
}

export interface McpToolInfo {
  /** `server__tool`: unique across the broker. */
  qualifiedName: string;
  server: string;
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface McpResourceInfo {
  server: string;
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface McpPromptInfo {
  /** `server__prompt`. */
  qualifiedName: string;
  server: string;
  name: string;
  title?: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
}

export interface McpReloadReport {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
  /** Per server: why it could not be (re)started from the new file. */
  errors: Record<string, string>;
}
