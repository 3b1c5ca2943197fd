import type { MessageDto, Page, PostedMessage } from '@dataflow/shared';
import type { DistributedPlatform } from './distributed-platform.js';

/** One server-sent event of a turn, as a client reads it. */
export interface StreamedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export interface ReadOptions {
  /** Resume after this id, as a reconnecting client does. */
  lastEventId?: string;
  /** Hang up after this many events. */
  stopAfter?: number;
  /** Hang up after the first event this accepts. */
  until?: (event: StreamedEvent) => boolean;
}

/** A signed-in client of the chat routes: posts messages and reads turns' streams, as the web app does. `platformOf` is read at each call (suites start their platform in beforeAll). */
export function chatClient(platformOf: () => DistributedPlatform) {
  /** Posts a message (in a new conversation unless one is given) and expects its turn to start. */
  async function ask(content: string, conversationId?: string, more: Record<string, unknown> = {}): Promise<PostedMessage & { conversationId: string }> {
    const platform = platformOf();
    const id = conversationId ?? ((await (await platform.api('/api/v1/conversations', { method: 'POST', body: '{}' })).json()) as { id: string }).id;
    const posted = await platform.api(`/api/v1/conversations/${id}/messages`, { method: 'POST', body: JSON.stringify({ content, ...more }) });
    expect({ status: posted.status, body: posted.status === 202 ? null : await posted.text() }).toEqual({ status: 202, body: null });
    return { ...((await posted.json()) as PostedMessage), conversationId: id };
  }

  /** Reads a turn's SSE stream: all of it, or until `options` say to hang up. */
  async function events(turnId: string, options: ReadOptions = {}): Promise<StreamedEvent[]> {
    const abort = new AbortController();
    const response = await platformOf().api(`/api/v1/turns/${turnId}/events`, {
      headers: options.lastEventId ? { 'last-event-id': options.lastEventId } : {},
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const seen: StreamedEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
          if (!field('event')) continue;
          seen.push({ id: field('id')!, type: field('event')!, data: JSON.parse(field('data')!) as Record<string, unknown> });
          if ((options.stopAfter !== undefined && seen.length >= options.stopAfter) || options.until?.(seen.at(-1)!)) {
            abort.abort();
            return seen;
          }
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
    return seen;
  }

  const messagesOf = async (conversationId: string) => ((await (await platformOf().api(`/api/v1/conversations/${conversationId}/messages`)).json()) as Page<MessageDto>).items;

  return { ask, events, messagesOf };
}

/** The text a turn streamed. */
export const textOf = (streamed: StreamedEvent[]) => streamed.filter((event) => event.type === 'text-delta').map((event) => event.data.text).join('');
export const typesOf = (streamed: StreamedEvent[]) => streamed.map((event) => event.type);
