import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageDto, Page, PostedMessage } from '@dataflow/shared';
import { FakeOpenAI } from '@dataflow/shared/testing';
import { DistributedPlatform, everyRouteEnv } from './distributed-platform.js';
import { waitForMcpServers } from './mcp-servers-ready.js';

interface StreamedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

describe('chat turns: the agent loop against a scripted model, streamed over SSE (distributed)', () => {
  let platform: DistributedPlatform;
  let fake: FakeOpenAI;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'dataflow-chat-'));
    fake = await FakeOpenAI.start();
    platform = new DistributedPlatform({ env: { ...everyRouteEnv(scratch), OPENAI_BASE_URL: fake.baseUrl, OPENAI_MODEL: 'fake-model', OPENAI_API_KEY: 'sk-test' } });
    await platform.start();
    await waitForMcpServers(platform.gatewayUrl, ['everything'], platform.signedInHeaders);
  });

  afterAll(async () => {
    await platform?.stop();
    await fake?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  async function ask(content: string, conversationId?: string): Promise<PostedMessage & { conversationId: string }> {
    const id = conversationId ?? ((await (await platform.api('/api/v1/conversations', { method: 'POST', body: '{}' })).json()) as { id: string }).id;
    const posted = await platform.api(`/api/v1/conversations/${id}/messages`, { method: 'POST', body: JSON.stringify({ content }) });
    expect({ status: posted.status, body: posted.status === 202 ? null : await posted.text() }).toEqual({ status: 202, body: null });
    return { ...((await posted.json()) as PostedMessage), conversationId: id };
  }

  /** Reads a turn's SSE stream: all of it, or `stopAfter` events and then hangs up. */
  async function events(turnId: string, options: { lastEventId?: string; stopAfter?: number } = {}): Promise<StreamedEvent[]> {
    const abort = new AbortController();
    const response = await platform.api(`/api/v1/turns/${turnId}/events`, {
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
          if (options.stopAfter !== undefined && seen.length >= options.stopAfter) {
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

  const messagesOf = async (conversationId: string) => ((await (await platform.api(`/api/v1/conversations/${conversationId}/messages`)).json()) as Page<MessageDto>).items;
  const textOf = (streamed: StreamedEvent[]) => streamed.filter((event) => event.type === 'text-delta').map((event) => event.data.text).join('');

  it('lists the configured model as the default', async () => {
    expect(await (await platform.api('/api/v1/models')).json()).toEqual([{ id: 'fake-model', label: 'fake-model', provider: 'openai-compatible', contextWindow: null, tools: true, default: true }]);
  });

  it('streams a text answer, saves both messages, and titles the conversation', async () => {
    fake.reply({ text: 'Revenue grew 12% in March.', chunks: 4 });
    const { turnId, messageId, conversationId } = await ask('How did revenue do in March?\nBy region please.');
    const streamed = await events(turnId);
    expect(streamed.map((event) => event.type)).toEqual(['start', 'text-delta', 'text-delta', 'text-delta', 'text-delta', 'usage', 'done']);
    expect(streamed[0]!.data).not.toHaveProperty('ownerId');
    expect(textOf(streamed)).toBe('Revenue grew 12% in March.');
    expect(streamed.at(-1)!.data).toMatchObject({ status: 'complete' });
    const [question, answer] = await messagesOf(conversationId);
    expect(question).toMatchObject({ id: messageId, role: 'user', parts: [{ type: 'text', text: 'How did revenue do in March?\nBy region please.' }] });
    expect(answer).toMatchObject({
      role: 'assistant',
      parentId: messageId,
      status: 'complete',
      model: 'fake-model',
      parts: [{ type: 'text', text: 'Revenue grew 12% in March.' }],
      usage: { inputTokens: 12, outputTokens: 7 },
    });
    expect(answer!.timing).toMatchObject({ durationMs: expect.any(Number), firstTokenMs: expect.any(Number) });
    expect(await (await platform.api(`/api/v1/conversations/${conversationId}`)).json()).toMatchObject({ title: 'How did revenue do in March?' });
    expect(fake.requests.at(-1)!.tools?.map((tool) => tool.function.name)).toContain('everything__echo');
  });

  it('calls a tool through the broker, gives the model its result, and keeps the call, the result and the answer', async () => {
    fake.reply({ toolCalls: [{ name: 'everything__echo', arguments: { message: 'hi' } }] }, { text: 'The server said hi back.' });
    const { turnId, conversationId } = await ask('Echo hi');
    const streamed = await events(turnId);
    expect(streamed.map((event) => event.type)).toEqual(['start', 'tool-call', 'tool-result', 'text-delta', 'text-delta', 'text-delta', 'usage', 'done']);
    expect(streamed[1]!.data).toMatchObject({ server: 'everything', tool: 'echo', arguments: { message: 'hi' } });
    expect(streamed[2]!.data).toMatchObject({ isError: false, cached: false, result: { content: [{ type: 'text', text: 'Echo: hi' }] } });
    const toolMessage = fake.requests.at(-1)!.messages.find((message) => message.role === 'tool');
    expect(JSON.stringify(toolMessage)).toContain('Echo: hi');
    const [, answer] = await messagesOf(conversationId);
    expect(answer!.parts.map((part) => part.type)).toEqual(['tool_call', 'tool_result', 'text']);
  });

  it('lets a client that hangs up mid-turn come back with Last-Event-ID and get every event exactly once', async () => {
    fake.reply({ text: 'one two three four five six seven eight nine ten', chunks: 10, delayMs: 60 });
    const { turnId, conversationId } = await ask('Count to ten');
    const before = await events(turnId, { stopAfter: 3 });
    const after = await events(turnId, { lastEventId: before.at(-1)!.id });
    const all = [...before, ...after];
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    expect(all).toEqual(await events(turnId));
    expect(textOf(all)).toBe('one two three four five six seven eight nine ten');
    const [, answer] = await messagesOf(conversationId);
    expect(answer!.parts).toEqual([{ type: 'text', text: textOf(all) }]);
  });

  it('ends the turn with a typed error when the provider refuses, and saves what there is', async () => {
    fake.reply({ status: 429, message: 'Rate limit reached' }, { status: 429, message: 'Rate limit reached' });
    const { turnId, conversationId } = await ask('Anything');
    const streamed = await events(turnId);
    expect(streamed.map((event) => event.type)).toEqual(['start', 'error', 'done']);
    expect(streamed[1]!.data).toMatchObject({ code: 'provider_rate_limited' });
    expect(streamed[2]!.data).toMatchObject({ status: 'error' });
    const [, answer] = await messagesOf(conversationId);
    expect(answer).toMatchObject({ status: 'error', parts: [{ type: 'error', code: 'provider_rate_limited' }] });
  });

  it("hides another user's turn, and refuses bad requests", async () => {
    fake.reply({ text: 'Private.' });
    const { turnId, conversationId } = await ask('Mine');
    await events(turnId);
    const other = (await (
      await platform.api('/api/v1/auth/register', { method: 'POST', headers: { authorization: '' }, body: JSON.stringify({ email: 'watcher@example.com', password: 'another long passphrase', name: 'W' }) })
    ).json()) as { accessToken: string };
    const asOther = { authorization: `Bearer ${other.accessToken}` };
    expect((await platform.api(`/api/v1/turns/${turnId}/events`, { headers: asOther })).status).toBe(404);
    expect((await platform.api(`/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: asOther, body: JSON.stringify({ content: 'x' }) })).status).toBe(404);
    expect((await platform.api(`/api/v1/turns/${turnId}/events`, { headers: { 'last-event-id': 'nope' } })).status).toBe(400);
    expect((await platform.api('/api/v1/turns/00000000-0000-4000-8000-000000000000/events')).status).toBe(404);
    for (const body of [{}, { content: '' }, { content: 'x', model: 'no-such-model' }, { content: 'x', attachments: ['not-an-id'] }]) {
      const response = await platform.api(`/api/v1/conversations/${conversationId}/messages`, { method: 'POST', body: JSON.stringify(body) });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
  });
});
