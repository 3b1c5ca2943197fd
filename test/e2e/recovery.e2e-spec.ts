import { DistributedPlatform } from './distributed-platform.js';

const rpcTimeoutMs = 3_000;

describe('the gateway when the conversations service stops', () => {
  const platform = new DistributedPlatform({ env: { RPC_TIMEOUT_MS: String(rpcTimeoutMs) } });

  beforeAll(() => platform.start());
  afterAll(() => platform.stop());

  const create = (title: string) => platform.api('/api/v1/conversations', { method: 'POST', body: JSON.stringify({ title }) });

  it('answers 503 within the deadline while it is down, runs none of those requests later, and recovers once it is back', async () => {
    expect((await create('before')).status).toBe(201);

    await platform.conversations[0].stop('SIGKILL');

    for (const title of ['while down 1', 'while down 2', 'while down 3']) {
      const started = Date.now();
      const response = await create(title);
      const elapsed = Date.now() - started;
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ code: 'service_unavailable', status: 503 });
      expect(elapsed).toBeLessThan(rpcTimeoutMs + 1_000);
    }
    const ready = await platform.api('/health/ready');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: object }).error).toHaveProperty('conversations');

    await platform.startConversations();
    expect((await create('after')).status).toBe(201);
    expect((await platform.api('/health/ready')).status).toBe(200);

    // Give a stray queued request every chance to run before looking.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rows = await platform.database.query<{ title: string }>('SELECT title FROM conversations ORDER BY created_at');
    expect(rows.map((r) => r.title)).toEqual(['before', 'after']);
  });
});
