import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { type NoArguments, rpc, type ServiceHealth } from './rpc-contract.js';
import { ServiceName } from './service-name.js';
import type { McpPromptInfo, McpReloadReport, McpResourceInfo, McpServerDetail, McpServerSummary, McpToolInfo } from './mcp-views.js';
import type { McpToolResult } from './turn-events.js';

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
