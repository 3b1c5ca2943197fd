/**
 * What a chat turn streams to its watchers, and how a tool's result reads as a table or a chart.
 * Plain types and functions only (no decorators, no Node): the web app imports this file too.
 */

/** A tool's result, as MCP defines it (`content`, `structuredContent`, `isError`). */
export interface McpToolResult {
  content: Record<string, unknown>[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/**
 * What a chat turn tells its watchers, in order. Every event has an id in the turn's log (the SSE
 * `id:`), so that a client that reconnects with Last-Event-ID gets exactly what it missed.
 */
export type TurnEvent =
  /** `ownerId` is for the access check; it is not sent to clients. */
  | { type: 'start'; turnId: string; conversationId: string; messageId: string; model: string | null; ownerId: string }
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call'; toolCallId: string; server: string; tool: string; arguments: unknown }
  | { type: 'tool-progress'; toolCallId: string; progress: number; total?: number; message?: string }
  /** `durationMs`: the call as the turn waited for it; `serverMs`: the MCP server's part of it (absent when the cache answered). */
  | { type: 'tool-result'; toolCallId: string; result: unknown; isError: boolean; durationMs: number; serverMs?: number; cached: boolean }
  /** A tool that is not read-only waits for the user: `POST /api/v1/turns/:turnId/approvals`. */
  | { type: 'approval-required'; toolCallId: string; server: string; tool: string; arguments: unknown }
  /** A tool result that is a table (columns and rows), for the client to show as one. */
  | { type: 'table'; toolCallId: string } & ResultTable
  /** A tool result that is a Vega-Lite chart. */
  | { type: 'chart'; toolCallId: string; spec: Record<string, unknown>; title?: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number }
  | { type: 'error'; code: string; message: string }
  | { type: 'done'; status: 'complete' | 'error' | 'cancelled'; messageId: string };

export type TurnEventType = TurnEvent['type'];

/** One event as the log keeps it, with its id. */
export interface LoggedTurnEvent {
  id: string;
  event: TurnEvent;
}

/** A turn log's ids: `<milliseconds>-<sequence>`, as Redis streams make them. */
export const turnEventIdPattern = /^\d{1,15}-\d{1,15}$/;

export interface ResultTable {
  columns: { name: string; type?: string }[];
  rows: Record<string, unknown>[];
  /** Every row the query produced, when the rows shown are fewer. */
  rowCount?: number;
  truncated?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The table a tool result holds (structured content with `columns` and `rows`, as the data server's query returns), if any. */
export function tableOf(result: McpToolResult): ResultTable | undefined {
  const content = result.structuredContent;
  if (result.isError || !content || !Array.isArray(content['columns']) || !Array.isArray(content['rows'])) return undefined;
  const columns = content['columns'].flatMap((column: unknown) => (isRecord(column) && typeof column['name'] === 'string' ? [{ name: column['name'], ...(typeof column['type'] === 'string' ? { type: column['type'] } : {}) }] : []));
  if (columns.length !== content['columns'].length || !content['rows'].every(isRecord)) return undefined;
  return {
    columns,
    rows: content['rows'] as Record<string, unknown>[],
    ...(typeof content['rowCount'] === 'number' ? { rowCount: content['rowCount'] } : {}),
    ...(typeof content['truncated'] === 'boolean' ? { truncated: content['truncated'] } : {}),
  };
}

/** The Vega-Lite spec a tool result holds (structured content with a `spec` whose `$schema` is Vega-Lite), if any. */
export function chartOf(result: McpToolResult): { spec: Record<string, unknown>; title?: string } | undefined {
  const spec = result.structuredContent?.['spec'];
  if (result.isError || !isRecord(spec) || typeof spec['$schema'] !== 'string' || !spec['$schema'].includes('vega-lite')) return undefined;
  return { spec, ...(typeof spec['title'] === 'string' ? { title: spec['title'] } : {}) };
}

/** A conversation's turn, as GET /api/v1/conversations/:id/turns lists it: a second tab finds the running one and follows its events. */
export interface TurnSummary {
  turnId: string;
  /** The answer the turn writes. */
  messageId: string;
  model: string | null;
  status: 'running' | Extract<TurnEvent, { type: 'done' }>['status'];
  startedAt: string;
}

export interface PostedMessage {
  messageId: string;
  turnId: string;
}
