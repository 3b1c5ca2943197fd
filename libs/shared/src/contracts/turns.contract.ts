import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

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
  | { type: 'tool-result'; toolCallId: string; result: unknown; isError: boolean; durationMs: number; cached: boolean }
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
}

export interface PostedMessage {
  messageId: string;
  turnId: string;
}
