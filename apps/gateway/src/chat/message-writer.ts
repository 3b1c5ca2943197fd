import { type MessagePart, type MessageStatus, messageText } from '@dataflow/shared';
import type { ConversationsClient } from '../conversations/conversations.client.js';

/** How often a streaming answer is written while it grows: one row rewrite per interval, not one per token. */
export const flushIntervalMs = 500;

interface MessageRef {
  ownerId: string;
  conversationId: string;
  id: string;
}

/**
 * The assistant's message while a turn writes it: parts accumulate in memory and reach the
 * database in batches (every `flushIntervalMs` while something changed, and once at the end).
 * Writes are chained, so they land in order and the last one wins.
 */
export class MessageWriter {
  private readonly parts: MessagePart[] = [];
  /** Set while a change waits for the next batch. */
  private timer?: NodeJS.Timeout;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly conversations: ConversationsClient,
    private readonly ref: MessageRef,
  ) {}

  appendText(text: string): void {
    const last = this.parts.at(-1);
    if (last?.type === 'text') this.parts[this.parts.length - 1] = { type: 'text', text: last.text + text };
    else this.parts.push({ type: 'text', text });
    this.changed();
  }

  /** The answer's text so far. */
  get text(): string {
    return messageText(this.parts);
  }

  add(part: MessagePart): void {
    this.parts.push(part);
    this.changed();
  }

  /** The last write: the parts, how the turn ended, and what it cost. Resolves once it is stored. */
  async finish(status: Exclude<MessageStatus, 'streaming'>, details: { usage?: { inputTokens: number; outputTokens: number }; timing?: { firstTokenMs?: number; durationMs?: number } }): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.enqueue({ parts: [...this.parts], status, ...details });
  }

  private changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.enqueue({ parts: [...this.parts] }).catch(() => undefined);
    }, flushIntervalMs);
  }

  private enqueue(change: { parts: MessagePart[]; status?: Exclude<MessageStatus, 'streaming'>; usage?: { inputTokens: number; outputTokens: number }; timing?: { firstTokenMs?: number; durationMs?: number } }): Promise<unknown> {
    this.writes = this.writes.catch(() => undefined).then(() => this.conversations.updateMessage({ ...this.ref, ...change }));
    return this.writes;
  }
}
