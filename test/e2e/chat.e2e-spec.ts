import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostedMessage } from '@dataflow/shared';
import { FakeOpenAI } from '@dataflow/shared/testing';
import { DistributedPlatform, everyRouteEnv } from './distributed-platform.js';
import { waitForMcpServers } from './mcp-servers-ready.js';
import { multipart, multipartType } from './multipart.js';
import { chatClient, textOf, typesOf } from './turns.js';

describe('chat turns: the agent loop against a scripted model, streamed over SSE (distributed)', () => {
  let platform: DistributedPlatform;
  let fake: FakeOpenAI;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'dataflow-chat-'));
    fake = await FakeOpenAI.start();
    // The platform titles a new conversation with a request of its own, without tools.
    fake.route((request) => request.tools === undefined, { text: '"Scripted title."' });
    const modelsFile = join(scratch, 'models.json');
    await writeFile(
      modelsFile,
      JSON.stringify({
        models: [
          { id: 'fake-model', provider: 'openai-compatible', model: 'fake-model', baseUrl: fake.baseUrl, apiKeyEnv: 'FAKE_API_KEY', default: true },
          { id: 'fake-b', label: 'Fake B', provider: 'openai-compatible', model: 'fake-b-model', baseUrl: fake.baseUrl, apiKeyEnv: 'FAKE_API_KEY', contextWindow: 32_000 },
        ],
      }),
    );
    platform = new DistributedPlatform({ env: { ...everyRouteEnv(scratch), MCP_CONFIG: 'test/fixtures/mcp-chat.json', MODELS_FILE: modelsFile, FAKE_API_KEY: 'sk-test' } });
    await platform.start();
    await waitForMcpServers(platform.gatewayUrl, ['everything', 'fixture'], platform.signedInHeaders);
  });

  afterAll(async () => {
    await platform?.stop();
    await fake?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const { ask, events, messagesOf } = chatClient(() => platform);
  /** The model's last request for a turn (the title requests, without tools, left out). */
  const lastTurnRequest = () => fake.requests.filter((request) => request.tools !== undefined).at(-1)!;
  const post = (path: string, body: unknown = {}) => platform.api(path, { method: 'POST', body: JSON.stringify(body) });

  it('lists the configured models, the default marked', async () => {
    expect(await (await platform.api('/api/v1/models')).json()).toEqual([
      { id: 'fake-model', label: 'fake-model', provider: 'openai-compatible', contextWindow: null, tools: true, default: true },
      { id: 'fake-b', label: 'Fake B', provider: 'openai-compatible', contextWindow: 32_000, tools: true, default: false },
    ]);
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
    // The model's title replaces the first line's, quotes and full stop taken off.
    expect(await (await platform.api(`/api/v1/conversations/${conversationId}`)).json()).toMatchObject({ title: 'Scripted title' });
    const titling = fake.requests.find((request) => request.tools === undefined && JSON.stringify(request.messages).includes('By region please'));
    expect(JSON.stringify(titling?.messages)).toContain('Revenue grew 12% in March.');
    expect(lastTurnRequest().tools?.map((tool) => tool.function.name)).toContain('everything__echo');
  });

  it('calls a tool through the broker, gives the model its result, and keeps the call, the result and the answer', async () => {
    fake.reply({ toolCalls: [{ name: 'everything__echo', arguments: { message: 'hi' } }] }, { text: 'The server said hi back.' });
    const { turnId, conversationId } = await ask('Echo hi');
    const streamed = await events(turnId);
    expect(streamed.map((event) => event.type)).toEqual(['start', 'tool-call', 'tool-result', 'text-delta', 'text-delta', 'text-delta', 'usage', 'done']);
    expect(streamed[1]!.data).toMatchObject({ server: 'everything', tool: 'echo', arguments: { message: 'hi' } });
    expect(streamed[2]!.data).toMatchObject({ isError: false, cached: false, result: { content: [{ type: 'text', text: 'Echo: hi' }] } });
    // The server's part of the call, as the broker timed it, within the call as the turn waited for it.
    const { durationMs, serverMs } = streamed[2]!.data as { durationMs: number; serverMs: number };
    expect(serverMs).toBeGreaterThan(0);
    expect(serverMs).toBeLessThanOrEqual(durationMs + 1);
    const toolMessage = lastTurnRequest().messages.find((message) => message.role === 'tool');
    expect(JSON.stringify(toolMessage)).toContain('Echo: hi');
    const [, answer] = await messagesOf(conversationId);
    expect(answer!.parts.map((part) => part.type)).toEqual(['tool_call', 'tool_result', 'text']);
  });

  it('lets a client that hangs up mid-turn come back with Last-Event-ID and get every event exactly once', async () => {
    fake.reply({ text: 'one two three four five six seven eight nine ten', chunks: 10, delayMs: 60 });
    const { turnId, conversationId } = await ask('Count to ten');
    const before = await events(turnId, { stopAfter: 3 });
    // A second tab finds the running turn from the conversation alone, and watches it live too.
    const listed = (await (await platform.api(`/api/v1/conversations/${conversationId}/turns`)).json()) as { turnId: string; status: string }[];
    expect(listed).toEqual([expect.objectContaining({ turnId, status: 'running' })]);
    const secondTab = events(turnId);
    const after = await events(turnId, { lastEventId: before.at(-1)!.id });
    const all = [...before, ...after];
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    expect(all).toEqual(await events(turnId));
    expect(await secondTab).toEqual(all);
    expect(await (await platform.api(`/api/v1/conversations/${conversationId}/turns`)).json()).toEqual([expect.objectContaining({ turnId, status: 'complete' })]);
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
  it('runs two tool calls the model makes at once, and gives it both results', async () => {
    fake.reply({ toolCalls: [{ name: 'everything__echo', arguments: { message: 'left' } }, { name: 'everything__echo', arguments: { message: 'right' } }] }, { text: 'Both came back.' });
    const { turnId } = await ask('Echo left and right');
    const streamed = await events(turnId);
    expect(typesOf(streamed).filter((type) => type === 'tool-call')).toHaveLength(2);
    expect(typesOf(streamed).filter((type) => type === 'tool-result')).toHaveLength(2);
    const results = streamed.filter((event) => event.type === 'tool-result').map((event) => JSON.stringify(event.data.result));
    expect(results.some((result) => result.includes('Echo: left')) && results.some((result) => result.includes('Echo: right'))).toBe(true);
    const toolMessages = lastTurnRequest().messages.filter((message) => message.role === 'tool');
    expect(toolMessages).toHaveLength(2);
    expect(streamed.at(-1)!.data).toMatchObject({ status: 'complete' });
  });

  it('reports a failing tool and a malformed call to the model as tool errors, and the turn goes on', async () => {
    fake.reply(
      { toolCalls: [{ name: 'fixture__fail', arguments: {} }] },
      { toolCalls: [{ name: 'everything__echo', arguments: '{"message": "unfinished' }] },
      { toolCalls: [{ name: 'everything__echo', arguments: { message: 42 } }] },
      { text: 'I could not get an answer.' },
    );
    const { turnId, conversationId } = await ask('Try the tools');
    const streamed = await events(turnId);
    const results = streamed.filter((event) => event.type === 'tool-result');
    expect(results.map((event) => event.data.isError)).toEqual([true, true, true]);
    expect(JSON.stringify(results[0]!.data.result)).toContain('it went wrong');
    expect(JSON.stringify(results[2]!.data.result)).toContain('input schema');
    const toolMessages = lastTurnRequest().messages.filter((message) => message.role === 'tool').map((message) => JSON.stringify(message.content));
    expect(toolMessages[0]).toContain('The tool failed: it went wrong');
    expect(toolMessages).toHaveLength(3);
    expect(textOf(streamed)).toBe('I could not get an answer.');
    expect(streamed.at(-1)!.data).toMatchObject({ status: 'complete' });
    const [, answer] = await messagesOf(conversationId);
    expect(answer!.parts.filter((part) => part.type === 'tool_result').map((part) => (part as { isError: boolean }).isError)).toEqual([true, true, true]);
  });

  it('ends the turn with provider_unavailable when the provider fails with 500, keeping the title from the first line', async () => {
    fake.reply({ status: 500, message: 'upstream exploded' }, { status: 500, message: 'upstream exploded' });
    const { turnId, conversationId } = await ask('Sales by month\nplease');
    const streamed = await events(turnId);
    expect(typesOf(streamed)).toEqual(['start', 'error', 'done']);
    expect(streamed[1]!.data).toMatchObject({ code: 'provider_unavailable' });
    expect(await (await platform.api(`/api/v1/conversations/${conversationId}`)).json()).toMatchObject({ title: 'Sales by month' });
  });

  it('names a context overflow, so the UI can suggest a new conversation', async () => {
    fake.reply({ status: 400, message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens." });
    const streamed = await events((await ask('A very long question')).turnId);
    expect(typesOf(streamed)).toEqual(['start', 'error', 'done']);
    expect(streamed[1]!.data).toMatchObject({ code: 'context_overflow' });
  });

  it('stops a slow stream on cancel, and saves what was said as cancelled', async () => {
    fake.reply({ text: 'word '.repeat(60), chunks: 60, delayMs: 100 });
    const { turnId, conversationId } = await ask('Talk slowly');
    await events(turnId, { until: (event) => event.type === 'text-delta' && (event.data.text as string).length > 0 });
    const cancelled = await post(`/api/v1/turns/${turnId}/cancel`);
    expect({ status: cancelled.status, body: await cancelled.json() }).toEqual({ status: 202, body: { turnId, status: 'cancelling' } });
    const streamed = await events(turnId);
    expect(streamed.at(-1)!.data).toMatchObject({ status: 'cancelled' });
    const said = textOf(streamed);
    expect(said.length).toBeGreaterThan(0);
    expect(said.length).toBeLessThan('word '.repeat(60).length);
    const [, answer] = await messagesOf(conversationId);
    expect(answer).toMatchObject({ status: 'cancelled', parts: [{ type: 'text', text: said }] });
    expect((await post(`/api/v1/turns/${turnId}/cancel`)).status).toBe(409);
  });

  it('cancels a tool call in flight, all the way to the MCP server', async () => {
    fake.reply({ toolCalls: [{ name: 'fixture__sleep', arguments: { ms: 30_000 } }] });
    const { turnId } = await ask('Sleep for a long time');
    await events(turnId, { until: (event) => event.type === 'tool-call' });
    const started = Date.now();
    expect((await post(`/api/v1/turns/${turnId}/cancel`)).status).toBe(202);
    const streamed = await events(turnId);
    expect(streamed.at(-1)!.data).toMatchObject({ status: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(10_000);
    for (let tries = 0; tries < 50 && !(await readFile(join(scratch, 'fixture.log'), 'utf8').catch(() => '')).includes('cancelled'); tries++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readFile(join(scratch, 'fixture.log'), 'utf8')).toContain('cancelled');
  });

  it('serves, stops and approves a turn from another gateway replica than the one that runs it', async () => {
    const replica = await platform.startGatewayReplica();
    const onReplica = (path: string, init: RequestInit = {}) => platform.api(path, init, replica);
    fake.reply({ toolCalls: [{ name: 'fixture__whoami', arguments: {} }] }, { text: 'Approved elsewhere.' });
    const { turnId, conversationId } = await ask('Who is it, from two gateways?');
    const asked = (await events(turnId, { until: (event) => event.type === 'approval-required' })).at(-1)!;
    const approval = await onReplica(`/api/v1/turns/${turnId}/approvals`, { method: 'POST', body: JSON.stringify({ toolCallId: asked.data.toolCallId, decision: 'approve' }) });
    expect(approval.status).toBe(202);
    const streamedHere = await events(turnId);
    const streamedThere = await onReplica(`/api/v1/turns/${turnId}/events`);
    expect(streamedThere.status).toBe(200);
    const ids = [...(await streamedThere.text()).matchAll(/^id: (.+)$/gm)].map((match) => match[1]);
    expect(ids).toEqual(streamedHere.map((event) => event.id));
    expect(textOf(streamedHere)).toBe('Approved elsewhere.');

    fake.reply({ text: 'word '.repeat(60), chunks: 60, delayMs: 100 });
    const slow = await ask('Talk slowly, across gateways', conversationId);
    await events(slow.turnId, { until: (event) => event.type === 'text-delta' });
    expect((await onReplica(`/api/v1/turns/${slow.turnId}/cancel`, { method: 'POST' })).status).toBe(202);
    expect((await events(slow.turnId)).at(-1)!.data).toMatchObject({ status: 'cancelled' });
  });

  it('pauses for approval before a tool that is not read-only; approving (remembered for the conversation) runs it', async () => {
    fake.reply({ toolCalls: [{ name: 'fixture__whoami', arguments: {} }] }, { text: 'It is the fixture.' });
    const { turnId, conversationId } = await ask('Who is the fixture?');
    const before = await events(turnId, { until: (event) => event.type === 'approval-required' });
    const asked = before.at(-1)!;
    expect(asked.data).toMatchObject({ server: 'fixture', tool: 'whoami', arguments: {} });
    const toolCallId = asked.data.toolCallId as string;
    expect((await post(`/api/v1/turns/${turnId}/approvals`, { toolCallId: 'not-asked', decision: 'approve' })).status).toBe(409);
    expect((await post(`/api/v1/turns/${turnId}/approvals`, { toolCallId, decision: 'deny', remember: 'always' })).status).toBe(400);
    const approved = await post(`/api/v1/turns/${turnId}/approvals`, { toolCallId, decision: 'approve', remember: 'conversation' });
    expect({ status: approved.status, body: await approved.json() }).toEqual({ status: 202, body: { toolCallId, decision: 'approve' } });
    const streamed = await events(turnId);
    const result = streamed.find((event) => event.type === 'tool-result')!;
    expect(result.data).toMatchObject({ isError: false });
    expect(JSON.stringify(result.data.result)).toContain('fixture');
    expect(streamed.at(-1)!.data).toMatchObject({ status: 'complete' });
    expect((await post(`/api/v1/turns/${turnId}/approvals`, { toolCallId, decision: 'approve' })).status).toBe(409);

    // Remembered for this conversation: the next call runs without asking; another conversation still asks.
    fake.reply({ toolCalls: [{ name: 'fixture__whoami', arguments: {} }] }, { text: 'Still the fixture.' });
    const again = await events((await ask('And now?', conversationId)).turnId);
    expect(typesOf(again)).not.toContain('approval-required');
    expect(again.find((event) => event.type === 'tool-result')!.data).toMatchObject({ isError: false });
    // The grant is listed where the user can see it, and audited.
    const grants = (await (await platform.api(`/api/v1/tool-grants?conversationId=${conversationId}`)).json()) as { id: string; tool: string; conversationId: string }[];
    expect(grants).toEqual([expect.objectContaining({ tool: 'fixture__whoami', conversationId })]);
    const audited = await platform.database.query(`SELECT action, target FROM audit_log WHERE action LIKE 'tool.%' ORDER BY id`);
    expect(audited).toEqual([{ action: 'tool.granted', target: `fixture__whoami in ${conversationId}` }]);

    fake.reply({ toolCalls: [{ name: 'fixture__whoami', arguments: {} }] });
    const elsewhere = await ask('Who is it, elsewhere?');
    await events(elsewhere.turnId, { until: (event) => event.type === 'approval-required' });
    expect((await post(`/api/v1/turns/${elsewhere.turnId}/cancel`)).status).toBe(202);
    expect((await events(elsewhere.turnId)).at(-1)!.data).toMatchObject({ status: 'cancelled' });

    // Revoked, the tool asks again in the first conversation too.
    expect((await platform.api(`/api/v1/tool-grants/${grants[0]!.id}`, { method: 'DELETE' })).status).toBe(204);
    fake.reply({ toolCalls: [{ name: 'fixture__whoami', arguments: {} }] });
    const revoked = await ask('Once more?', conversationId);
    await events(revoked.turnId, { until: (event) => event.type === 'approval-required' });
    expect((await post(`/api/v1/turns/${revoked.turnId}/cancel`)).status).toBe(202);
    await events(revoked.turnId);
  });

  it('tells the model a denied call was denied, and the turn goes on', async () => {
    fake.reply({ toolCalls: [{ name: 'fixture__whoami', arguments: {} }] }, { text: 'Understood, I will not.' });
    const { turnId } = await ask('Who is the fixture? (deny it)');
    const asked = (await events(turnId, { until: (event) => event.type === 'approval-required' })).at(-1)!;
    expect((await post(`/api/v1/turns/${turnId}/approvals`, { toolCallId: asked.data.toolCallId, decision: 'deny' })).status).toBe(202);
    const streamed = await events(turnId);
    expect(streamed.find((event) => event.type === 'tool-result')!.data).toMatchObject({ isError: true });
    expect(JSON.stringify(lastTurnRequest().messages.filter((message) => message.role === 'tool'))).toContain('denied');
    expect(streamed.at(-1)!.data).toMatchObject({ status: 'complete' });
  });

  it("answers a read-only, idempotent tool from the cache over unchanged files, and misses once a file changes", async () => {
    const me = (await (await platform.api('/api/v1/auth/me')).json()) as { id: string };
    const folder = join(scratch, 'users', me.id);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'cache_probe.csv'), 'region,amount\nnorth,10\nsouth,20\n');
    const query = { name: 'data__query', arguments: { sql: 'SELECT sum(amount) AS total FROM cache_probe' } };
    const resultOf = async () => {
      fake.reply({ toolCalls: [query] }, { text: 'Summed.' });
      const streamed = await events((await ask('What is the total?')).turnId);
      return { result: streamed.find((event) => event.type === 'tool-result')!.data, table: streamed.find((event) => event.type === 'table')?.data };
    };
    const first = await resultOf();
    expect(first.result).toMatchObject({ isError: false, cached: false });
    expect(first.table).toMatchObject({ columns: [{ name: 'total' }], rows: [{ total: 30 }] });
    const second = await resultOf();
    expect(second.result).toMatchObject({ isError: false, cached: true, result: first.result.result });
    expect([first.result.serverMs, second.result.serverMs]).toEqual([expect.any(Number), undefined]);
    await writeFile(join(folder, 'cache_probe.csv'), 'region,amount\nnorth,10\nsouth,20\neast,5\n');
    const third = await resultOf();
    expect(third.result).toMatchObject({ isError: false, cached: false });
    expect(third.table).toMatchObject({ rows: [{ total: 35 }] });
  });

  it('tells the model about the user\'s files and the attached ones', async () => {
    const uploaded = await platform.api('/api/v1/files', { method: 'POST', headers: { 'content-type': multipartType }, body: multipart('regions.csv', 'region,amount\nnorth,1\n') });
    expect(uploaded.status).toBe(201);
    const upload = (await uploaded.json()) as { id: string; storagePath: string };
    fake.reply({ text: 'I see it.' });
    const { turnId, conversationId } = await ask('What is in it?', undefined, { attachments: [upload.id] });
    await events(turnId);
    const system = JSON.stringify(lastTurnRequest().messages[0]);
    expect(system).toContain('attached');
    expect(system).toContain(upload.storagePath);
    const [question] = await messagesOf(conversationId);
    expect(question!.parts).toEqual([{ type: 'text', text: 'What is in it?' }, { type: 'file', name: 'regions.csv', uploadId: upload.id, mediaType: expect.any(String) }]);
    const missing = await post(`/api/v1/conversations/${conversationId}/messages`, { content: 'x', attachments: ['00000000-0000-4000-8000-000000000000'] });
    expect({ status: missing.status, detail: ((await missing.json()) as { detail: string }).detail }).toEqual({ status: 400, detail: 'attachments[0] names no upload of yours' });
  });

  it('remembers the conversation\'s model, lets a message override it, and regenerates or edits into sibling branches', async () => {
    const created = (await (await post('/api/v1/conversations', { model: 'fake-b' })).json()) as { id: string; model: string };
    expect(created.model).toBe('fake-b');
    fake.reply({ text: 'First answer.' });
    const first = await ask('Question one', created.id);
    await events(first.turnId);
    expect(lastTurnRequest().model).toBe('fake-b-model');
    fake.reply({ text: 'Answer from the default.' });
    await events((await ask('Question two', created.id, { model: 'fake-model' })).turnId);
    expect(lastTurnRequest().model).toBe('fake-model');
    let messages = await messagesOf(created.id);
    expect(messages.map((message) => message.model)).toEqual([null, 'fake-b', null, 'fake-model']);

    // Regenerate the first answer: a sibling of it, under the same question; the model sees the branch only up to that question.
    fake.reply({ text: 'First answer, again.' });
    const regenerated = await post(`/api/v1/messages/${messages[1]!.id}/regenerate`);
    expect(regenerated.status).toBe(202);
    const again = (await regenerated.json()) as PostedMessage;
    expect(again.messageId).toBe(first.messageId);
    await events(again.turnId);
    expect(lastTurnRequest().messages.filter((message) => message.role !== 'system').map((message) => message.content)).toEqual(['Question one']);
    // Edit the second question: post its new text with its parent; the model sees the branch up to the edit.
    fake.reply({ text: 'Edited answer.' });
    await events((await ask('Question two, edited', created.id, { parentId: messages[1]!.id })).turnId);
    expect(lastTurnRequest().messages.filter((message) => message.role !== 'system').map((message) => message.content)).toEqual(['Question one', 'First answer.', 'Question two, edited']);
    messages = await messagesOf(created.id);
    expect(messages).toHaveLength(7);
    const siblings = messages.filter((message) => message.parentId === first.messageId);
    expect(siblings.map((message) => message.parts)).toEqual([[{ type: 'text', text: 'First answer.' }], [{ type: 'text', text: 'First answer, again.' }]]);
    expect(messages.filter((message) => message.parentId === messages[1]!.id).map((message) => message.role)).toEqual(['user', 'user']);

    // Nothing to regenerate while the answer is written, or for someone else's message.
    expect((await post('/api/v1/messages/00000000-0000-4000-8000-000000000000/regenerate')).status).toBe(404);
    expect((await post(`/api/v1/messages/${messages[0]!.id}/regenerate`, { model: 'no-such-model' })).status).toBe(400);
  });

});
