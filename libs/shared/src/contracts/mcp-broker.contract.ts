import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { type NoArguments, rpc, type ServiceHealth } from './rpc-contract.js';
import { ServiceName } from './service-name.js';
import type { McpToolResult } from './turn-events.js';

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

/** Who is asking. Per-user servers need a user; shared servers ignore it. */
export interface McpUserScoped {
  userId?: string;
}

export interface McpServerRequest extends McpUserScoped {
  name: string;
}

/** The body of `POST /api/v1/mcp/tools/:qualifiedName/call`. */
export class CallToolBody {
  @IsOptional()
  @IsObject({ message: 'arguments must be an object' })
  arguments?: Record<string, unknown>;

  /** This call's timeout; by default the server's `timeoutMs` (120 s unless configured). */
  @IsOptional()
  @Max(3_600_000)
  @Min(100)
  @IsInt({ message: 'timeoutMs must be a whole number of milliseconds' })
  timeoutMs?: number;
}

export interface CallToolRequest extends McpUserScoped {
  qualifiedName: string;
  arguments?: Record<string, unknown>;
  timeoutMs?: number;
}

/**
 * What a tool call streams back: any number of progress events, then one result. Each event
 * restarts the caller's wait, as each progress notification restarts the call's timeout.
 */
export type CallToolEvent =
  | { type: 'progress'; progress: number; total?: number; message?: string }
  /** Sent every {@link callToolHeartbeatMs} while the call runs, so a caller can tell a slow tool from a dead broker. */
  | { type: 'heartbeat' }
  /**
   * `cached`: the broker's analysis cache answered, and the server was not called. `serverMs`: how
   * long the MCP server took to answer, as the broker timed the call (absent when it was not called).
   */
  | { type: 'result'; result: McpToolResult; cached: boolean; serverMs?: number };

export const callToolHeartbeatMs = 5_000;
/** How long a caller waits for the next event of a tool call before it gives up on the broker. */
export const callToolIdleTimeoutMs = 3 * callToolHeartbeatMs;

export interface ReadResourceRequest extends McpUserScoped {
  uri: string;
  /** Which server to ask; by default the first whose catalog lists the URI. */
  server?: string;
}

/** A resource's contents, as MCP defines them (`uri`, `mimeType`, `text` or `blob`). */
export interface McpResourceContents {
  contents: Record<string, unknown>[];
}

/** A prompt filled in, as MCP defines it. */
export interface McpPromptMessages {
  description?: string;
  messages: Record<string, unknown>[];
}

export interface GetPromptRequest extends McpUserScoped {
  qualifiedName: string;
  arguments?: Record<string, string>;
}

export interface McpReloadReport {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
  /** Per server: why it could not be (re)started from the new file. */
  errors: Record<string, string>;
}

export const McpBrokerContract = {
  listServers: rpc<McpUserScoped, McpServerSummary[]>(ServiceName.McpBroker, 'mcp.servers.list'),
  getServer: rpc<McpServerRequest, McpServerDetail>(ServiceName.McpBroker, 'mcp.servers.get'),
  restartServer: rpc<McpServerRequest, McpServerSummary>(ServiceName.McpBroker, 'mcp.servers.restart'),
  enableServer: rpc<McpServerRequest, McpServerSummary>(ServiceName.McpBroker, 'mcp.servers.enable'),
  disableServer: rpc<McpServerRequest, McpServerSummary>(ServiceName.McpBroker, 'mcp.servers.disable'),
  reload: rpc<NoArguments, McpReloadReport>(ServiceName.McpBroker, 'mcp.config.reload'),
  /** Shared servers' tools, plus the asking user's per-user servers' (which starts them). */
  listTools: rpc<McpUserScoped, McpToolInfo[]>(ServiceName.McpBroker, 'mcp.tools.list'),
  /** A stream: progress events, then the result. Unsubscribing cancels the call. */
  callTool: rpc<CallToolRequest, CallToolEvent>(ServiceName.McpBroker, 'mcp.tools.call'),
  listResources: rpc<McpUserScoped, McpResourceInfo[]>(ServiceName.McpBroker, 'mcp.resources.list'),
  readResource: rpc<ReadResourceRequest, McpResourceContents>(ServiceName.McpBroker, 'mcp.resources.read'),
  listPrompts: rpc<McpUserScoped, McpPromptInfo[]>(ServiceName.McpBroker, 'mcp.prompts.list'),
  getPrompt: rpc<GetPromptRequest, McpPromptMessages>(ServiceName.McpBroker, 'mcp.prompts.get'),
  health: rpc<NoArguments, ServiceHealth>(ServiceName.McpBroker, 'mcp-broker.health'),
};
