import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { McpToolResult } from './mcp-broker.contract.js';

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

/** The body of POST /api/v1/conversations/:id/messages: the user's message, which starts a turn. */
export class PostMessageBody {
  @MaxLength(32_000)
  @MinLength(1, { message: 'content must not be empty' })
  @IsString()
  content!: string;

  /** A configured model's id, for this turn; the default model otherwise. */
  @IsOptional()
  @MaxLength(200)
  @IsString()
  model?: string;

  /** Uploads the message refers to. */
  @IsOptional()
  @IsUUID('all', { each: true, message: 'each attachment must be an upload id' })
  @ArrayMaxSize(20)
  @IsArray()
  attachments?: string[];

  /**
   * The message this one answers; by default the conversation's latest. Editing a message is
   * posting its new text with the edited message's parentId: a sibling branch, the old one kept.
   */
  @IsOptional()
  @IsUUID('all', { message: 'parentId must be a message id' })
  parentId?: string;
}

export const approvalDecisions = ['approve', 'deny'] as const;
/** An approval can be remembered: the tool is then allowed without asking in this conversation, or always. */
export const approvalScopes = ['conversation', 'always'] as const;

/** The body of POST /api/v1/turns/:turnId/approvals: the user's answer to an `approval-required` event. */
export class ApprovalBody {
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  toolCallId!: string;

  @IsIn(approvalDecisions, { message: `decision must be one of ${approvalDecisions.join(', ')}` })
  decision!: (typeof approvalDecisions)[number];

  @IsOptional()
  @IsIn(approvalScopes, { message: `remember must be one of ${approvalScopes.join(', ')}` })
  remember?: (typeof approvalScopes)[number];
}

/** What reaches the replica that runs a turn, from whichever replica a user's request reached. */
export type TurnControl = { turnId: string; type: 'cancel' } | { turnId: string; type: 'approval'; toolCallId: string; decision: (typeof approvalDecisions)[number] };

/** The body of POST /api/v1/messages/:id/regenerate. */
export class RegenerateBody {
  /** A configured model's id, for this answer; the conversation's otherwise. */
  @IsOptional()
  @MaxLength(200)
  @IsString()
  model?: string;
}

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
  if (result.isError || !content || !Array.isArray(content.columns) || !Array.isArray(content.rows)) return undefined;
  const columns = content.columns.flatMap((column: unknown) => (isRecord(column) && typeof column.name === 'string' ? [{ name: column.name, ...(typeof column.type === 'string' ? { type: column.type } : {}) }] : []));
  if (columns.length !== content.columns.length || !content.rows.every(isRecord)) return undefined;
  return {
    columns,
    rows: content.rows as Record<string, unknown>[],
    ...(typeof content.rowCount === 'number' ? { rowCount: content.rowCount } : {}),
    ...(typeof content.truncated === 'boolean' ? { truncated: content.truncated } : {}),
  };
}

/** The Vega-Lite spec a tool result holds (structured content with a `spec` whose `$schema` is Vega-Lite), if any. */
export function chartOf(result: McpToolResult): { spec: Record<string, unknown>; title?: string } | undefined {
  const spec = result.structuredContent?.spec;
  if (result.isError || !isRecord(spec) || typeof spec.$schema !== 'string' || !spec.$schema.includes('vega-lite')) return undefined;
  return { spec, ...(typeof spec.title === 'string' ? { title: spec.title } : {}) };
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
