import { type CallToolResult, ErrorCode as JsonRpcCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AppError, ErrorCode, toWireError } from '@dataflow/shared';
import { assertUnreachable } from '../../errors/problem-details.js';

/** The JSON-RPC code MCP gives an unknown resource URI. */
const resourceNotFound = -32002;

/** Failures of a tool call that the model should read and react to, rather than the client. */
const modelReadable = new Set<ErrorCode>([ErrorCode.ValidationFailed, ErrorCode.ServerUnavailable, ErrorCode.Timeout, ErrorCode.ServiceUnavailable]);

/** An McpError that goes on the wire as written (McpError's own message starts "MCP error <code>: "). */
export class JsonRpcError extends McpError {
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, data);
    this.message = message;
  }
}

export type ReportUnexpected = (errorId: string, error: unknown) => void;

/**
 * A broker error as the JSON-RPC error an MCP client gets: what names something unknown or
 * malformed is InvalidParams (or "resource not found"), the rest InternalError. The message is
 * the broker's, never a stack; `data.code` carries our error code, `data.errorId` the log id.
 */
export function toMcpError(error: unknown, subject: 'tool' | 'resource' | 'prompt' | 'list', reportUnexpected: ReportUnexpected): McpError {
  if (error instanceof McpError) return error;
  const wire = toWireError(error, reportUnexpected);
  const data: Record<string, unknown> = { code: wire.code };
  if (wire.errorId !== undefined) data.errorId = wire.errorId;
  switch (wire.code) {
    case ErrorCode.NotFound:
      return new JsonRpcError(subject === 'resource' ? resourceNotFound : JsonRpcCode.InvalidParams, wire.message, data);
    case ErrorCode.BadRequest: {
      // The MCP server itself refused the request; keep its JSON-RPC code.
      const mcpCode = (wire.details as { mcpCode?: unknown } | undefined)?.mcpCode;
      return new JsonRpcError(typeof mcpCode === 'number' ? mcpCode : JsonRpcCode.InvalidParams, wire.message, data);
    }
    case ErrorCode.ValidationFailed:
      return new JsonRpcError(JsonRpcCode.InvalidParams, wire.message, data);
    case ErrorCode.Internal:
      return new JsonRpcError(JsonRpcCode.InternalError, `${wire.message}${wire.errorId ? ` (error id ${wire.errorId})` : ''}`, data);
    case ErrorCode.Unauthorized:
    case ErrorCode.Forbidden:
    case ErrorCode.Conflict:
    case ErrorCode.PayloadTooLarge:
    case ErrorCode.UnsupportedMediaType:
    case ErrorCode.RateLimited:
    case ErrorCode.Timeout:
    case ErrorCode.ServiceUnavailable:
    case ErrorCode.ServerUnavailable:
      return new JsonRpcError(JsonRpcCode.InternalError, wire.message, data);
    default:
      return assertUnreachable(wire.code);
  }
}

/**
 * How a failed tools/call ends. Bad arguments, a server that is down and a timeout are tool
 * results with `isError`, which the model reads and can act on (fix the arguments, try later);
 * an unknown tool and anything else are JSON-RPC errors.
 */
export function toolCallFailure(error: unknown, reportUnexpected: ReportUnexpected): CallToolResult {
  if (error instanceof AppError && modelReadable.has(error.code)) {
    return { content: [{ type: 'text', text: error.message }], isError: true };
  }
  throw toMcpError(error, 'tool', reportUnexpected);
}
