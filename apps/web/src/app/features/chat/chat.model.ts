import type { MessagePart, MessageRole, MessageStatus, ResultTable, TurnEvent, TurnSummary } from '@dataflow/shared/browser';

export type { MessagePart, ResultTable, TurnEvent, TurnSummary };

/** `GET /api/v1/conversations`: one of the caller's conversations. */
export interface Conversation {
  readonly id: string;
  readonly title: string;
  readonly pinned: boolean;
  readonly archived: boolean;
  readonly model: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly activeAt: string;
}

/** `GET /api/v1/conversations/:id/messages`: one message. */
export interface Message {
  readonly id: string;
  readonly conversationId: string;
  readonly parentId: string | null;
  readonly role: MessageRole;
  readonly status: MessageStatus;
  readonly parts: MessagePart[];
  readonly model: string | null;
  readonly createdAt: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** `POST /api/v1/conversations/:id/messages` and `POST /api/v1/messages/:id/regenerate`. */
export interface StartedTurn {
  readonly messageId: string;
  readonly turnId: string;
}

/** One event of a turn's stream, with the id a reconnect resumes after. */
export interface StreamedTurnEvent {
  readonly id: string;
  readonly event: TurnEvent;
}
