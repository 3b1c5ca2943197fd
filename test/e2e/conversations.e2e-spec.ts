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
    expect((await (await platform.api('/api/v1/conversations', { headers: { authorization: other } })).json()) as unknown[]).toEqual([]);
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
});
