import type { ConversationDto, MessageDto, Page } from '@dataflow/shared';
import { DistributedPlatform } from './distributed-platform.js';

const json = { 'content-type': 'application/json' };

describe('conversations belong to their owner (distributed)', () => {
  let platform: DistributedPlatform;
  let other: string;

  beforeAll(async () => {
    platform = new DistributedPlatform({ env: { REGISTRATION: 'open' } });
    await platform.start();
    const registered = await platform.api('/api/v1/auth/register', {
      method: 'POST',
      headers: { ...json, authorization: '' },
      body: JSON.stringify({ email: 'other@example.com', password: 'a second long passphrase', name: 'Other' }),
    });
    if (registered.status !== 201) throw new Error(`could not register the other user: ${await registered.text()}`);
    other = `Bearer ${((await registered.json()) as { accessToken: string }).accessToken}`;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const create = async (title: string) => (await (await platform.api('/api/v1/conversations', { method: 'POST', body: JSON.stringify({ title }) })).json()) as { id: string };

  it('renames, pins and archives, and soft-deletes its own', async () => {
    const { id } = await create('Draft');
    const patched = await platform.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: JSON.stringify({ title: ' Revenue ', pinned: true, archived: true }) });
    expect(await patched.json()).toMatchObject({ id, title: 'Revenue', pinned: true, archived: true });
    expect(await (await platform.api(`/api/v1/conversations/${id}`)).json()).toMatchObject({ title: 'Revenue', pinned: true });
    expect((await platform.api(`/api/v1/conversations/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await platform.api(`/api/v1/conversations/${id}`)).status).toBe(404);
    expect((await platform.api(`/api/v1/conversations/${id}`, { method: 'DELETE' })).status).toBe(404);
    const [row] = await platform.database.query<{ deleted: boolean }>('SELECT deleted_at IS NOT NULL AS deleted FROM conversations WHERE id = $1', [id]);
    expect(row.deleted).toBe(true);
    expect(await platform.database.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'conversation.deleted' AND target = $1`, [`conversation:${id}`])).toEqual([{ n: 1 }]);
  });

  it("answers 404, never 403, for another user's conversation, and leaves it alone", async () => {
    const { id } = await create('Private');
    for (const init of [{}, { method: 'PATCH', body: JSON.stringify({ title: 'Mine now' }) }, { method: 'DELETE' }]) {
      const response = await platform.api(`/api/v1/conversations/${id}`, { ...init, headers: { ...json, authorization: other } });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { detail: string }).detail).toBe('There is no such conversation');
    }
    expect(await (await platform.api('/api/v1/conversations', { headers: { authorization: other } })).json()).toEqual({ items: [], nextCursor: null });
    expect(await (await platform.api(`/api/v1/conversations/${id}`)).json()).toMatchObject({ title: 'Private' });
    expect((await platform.api('/api/v1/conversations/not-a-uuid')).status).toBe(404);
  });

  it('lets an API key act only within its scopes', async () => {
    const { id } = await create('Scoped');
    const made = await platform.api('/api/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: 'reader', scopes: ['conversations:read'] }) });
    const reader = `Bearer ${((await made.json()) as { key: string }).key}`;
    expect((await platform.api(`/api/v1/conversations/${id}`, { headers: { authorization: reader } })).status).toBe(200);
    const write = await platform.api(`/api/v1/conversations/${id}`, { method: 'PATCH', headers: { ...json, authorization: reader }, body: JSON.stringify({ pinned: true }) });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { detail: string }).detail).toMatch(/conversations:write/);
    expect((await platform.api('/api/v1/conversations', { method: 'POST', headers: { ...json, authorization: reader }, body: '{}' })).status).toBe(403);
  });

  it('refuses bad changes clearly', async () => {
    const { id } = await create('Checked');
    for (const body of [{}, { title: '' }, { title: 'x'.repeat(201) }, { pinned: 'yes' }, { owner: 'me' }]) {
      const response = await platform.api(`/api/v1/conversations/${id}`, { method: 'PATCH', body: JSON.stringify(body) });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
  });

  /** Messages are written by chat turns; here they go straight into the table. */
  async function addMessage(conversationId: string, role: string, parts: unknown[], parentId: string | null = null): Promise<string> {
    const text = (parts as { type: string; text?: string }[]).filter((part) => part.type === 'text').map((part) => part.text).join('\n\n');
    const [row] = await platform.database.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, parent_id, role, status, parts, text, model) VALUES ($1, $2, $3, 'complete', $4, $5, $6) RETURNING id`,
      [conversationId, parentId, role, JSON.stringify(parts), text, role === 'assistant' ? 'gpt-test' : null],
    );
    await platform.database.query(`UPDATE conversations SET active_at = now() WHERE id = $1`, [conversationId]);
    return row!.id;
  }

  it('pages through messages oldest first, and through conversations by last activity', async () => {
    const { id } = await create('Paged');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await addMessage(id, i % 2 ? 'assistant' : 'user', [{ type: 'text', text: `message ${i}` }], ids.at(-1) ?? null));
    const seen: string[] = [];
    let next = `/api/v1/conversations/${id}/messages?limit=2`;
    for (;;) {
      const page = (await (await platform.api(next)).json()) as Page<MessageDto>;
      seen.push(...page.items.map((m) => m.id));
      if (!page.nextCursor) break;
      next = `/api/v1/conversations/${id}/messages?limit=2&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(ids);
    const first = (await (await platform.api(`/api/v1/conversations/${id}/messages?limit=2`)).json()) as Page<MessageDto>;
    expect(first.items[1]).toMatchObject({ role: 'assistant', parentId: ids[0], model: 'gpt-test', parts: [{ type: 'text', text: 'message 1' }] });
    expect((await platform.api(`/api/v1/conversations/${id}/messages`, { headers: { authorization: other } })).status).toBe(404);

    const top = (await (await platform.api('/api/v1/conversations?limit=1')).json()) as Page<ConversationDto>;
    expect(top.items.map((c) => c.title)).toEqual(['Paged']);
    expect(top.nextCursor).toEqual(expect.any(String));
    for (const query of ['cursor=not*a*cursor', 'cursor=bm90LWEtY3Vyc29y', 'limit=0', 'limit=101', 'archived=maybe', 'q=', `q=${'x'.repeat(201)}`]) {
      const refused = await platform.api(`/api/v1/conversations?${query}`);
      expect({ query, status: refused.status }).toEqual({ query, status: 400 });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('finds conversations by words in their title or messages, only among the caller\'s own', async () => {
    const { id } = await create('Quarterly planning');
    await addMessage(id, 'user', [{ type: 'text', text: 'Which warehouses shipped the most pallets last quarter?' }]);
    await create('Warehouse costs');
    const titles = async (q: string, authorization?: string) =>
      ((await (await platform.api(`/api/v1/conversations?q=${encodeURIComponent(q)}`, authorization ? { headers: { authorization } } : {})).json()) as Page<ConversationDto>).items.map((c) => c.title);
    expect(await titles('pallet')).toEqual(['Quarterly planning']);
    expect((await titles('warehouse')).sort()).toEqual(['Quarterly planning', 'Warehouse costs']);
    expect(await titles('warehouse -pallets')).toEqual(['Warehouse costs']);
    expect(await titles('pallet', other)).toEqual([]);
    // Search syntax never reaches SQL as SQL.
    expect(await titles("'); DROP TABLE messages; --")).toEqual([]);
    expect(await platform.database.query(`SELECT to_regclass('messages') IS NOT NULL AS kept`)).toEqual([{ kept: true }]);
  });

  it('exports a conversation as Markdown or JSON, with its tool calls, results and charts', async () => {
    const { id } = await create('Sales / Q3: export');
    const question = await addMessage(id, 'user', [{ type: 'text', text: 'Chart sales by region' }]);
    await addMessage(
      id,
      'assistant',
      [
        { type: 'tool_call', callId: 'c1', tool: 'data__query', arguments: { sql: 'SELECT region, sum(amount) FROM sales GROUP BY 1' } },
        { type: 'tool_result', callId: 'c1', isError: false, content: 'region,sum\nEU,10\n```' },
        { type: 'chart', title: 'Sales by region', spec: { mark: 'bar' } },
        { type: 'text', text: 'EU leads.' },
      ],
      question,
    );
    const markdown = await platform.api(`/api/v1/conversations/${id}/export?format=md`);
    expect(markdown.status).toBe(200);
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(markdown.headers.get('content-disposition')).toBe('attachment; filename=Sales-Q3-export.md');
    const text = await markdown.text();
    expect(text).toMatch(/^# Sales \/ Q3: export\n/);
    expect(text).toContain('### User');
    expect(text).toContain('Chart sales by region');
    expect(text).toContain('**Tool call** `data__query`');
    expect(text).toContain('````\nregion,sum\nEU,10\n```\n````'); // a fence its content cannot close
    expect(text).toContain('**Chart: Sales by region** (Vega-Lite)');
    expect(text).toContain('EU leads.');

    const exported = await platform.api(`/api/v1/conversations/${id}/export?format=json`);
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename=Sales-Q3-export.json');
    const body = (await exported.json()) as { conversation: ConversationDto; messages: MessageDto[] };
    expect(body.conversation.title).toBe('Sales / Q3: export');
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(body.messages[1]!.parts).toHaveLength(4);

    for (const query of ['', '?format=pdf']) expect((await platform.api(`/api/v1/conversations/${id}/export${query}`)).status).toBe(400);
    expect((await platform.api(`/api/v1/conversations/${id}/export?format=md`, { headers: { authorization: other } })).status).toBe(404);
  });
});
