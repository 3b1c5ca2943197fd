import type { ConversationDto, Page } from '@dataflow/shared';
import { randomUUID } from 'node:crypto';
import { Agent, get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DistributedPlatform } from './distributed-platform.js';

describe('the distributed platform: gateway, conversations and broker as separate processes over Redis', () => {
  const platform = new DistributedPlatform();

  beforeAll(() => platform.start());
  afterAll(() => platform.stop());

  it('creates a conversation through every layer and lists it, newest first', async () => {
    const first = await platform.api('/api/v1/conversations', { method: 'POST', body: JSON.stringify({ title: 'Sales by region' }) });
    expect(first.status).toBe(201);
    const created = (await first.json()) as ConversationDto;
    expect(created).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), title: 'Sales by region' });
    const second = (await (await platform.api('/api/v1/conversations', { method: 'POST', body: '{}' })).json()) as ConversationDto;
    expect(second.title).toBe('New conversation');

    const list = await platform.api('/api/v1/conversations');
    expect(list.status).toBe(200);
    expect(((await list.json()) as Page<ConversationDto>).items.map((c) => c.id)).toEqual([second.id, created.id]);
    const rows = await platform.database.query('SELECT title FROM conversations ORDER BY created_at');
    expect(rows.map((r) => r.title)).toEqual(['Sales by region', 'New conversation']);
  });

  it('lists the configured MCP servers without their commands, env or headers', async () => {
    const response = await platform.api('/api/v1/mcp/servers');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual([
      expect.objectContaining({ name: 'filesystem', transport: 'stdio', scope: 'user', enabled: true, description: 'Files' }),
      expect.objectContaining({ name: 'warehouse', transport: 'streamable-http', scope: 'shared', enabled: false, state: 'disabled' }),
    ]);
    const detail = await (await platform.api('/api/v1/mcp/servers/warehouse')).text();
    expect(JSON.parse(detail).definition.headers).toEqual({ Authorization: '***' });
    expect(detail).not.toContain('secret-token');
    expect(text).not.toContain('secret-token');
  });

  it('refuses bad input with problem+json that names the problem, and stores nothing', async () => {
    const before = await platform.database.query('SELECT count(*)::int AS n FROM conversations');
    const cases: [string, number, string][] = [
      ['{"title": 42}', 400, 'title must be a string'],
      ['{"title": "   "}', 400, 'title must not be blank'],
      ['{"title": "x", "ownerId": "someone"}', 400, 'property ownerId should not exist'],
      ['{"title": ', 400, 'not valid JSON'],
      [JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }), 413, 'larger than'],
    ];
    for (const [body, status, detail] of cases) {
      const response = await platform.api('/api/v1/conversations', { method: 'POST', body });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { detail: string }).detail).toContain(detail);
    }
    expect(await platform.database.query('SELECT count(*)::int AS n FROM conversations')).toEqual(before);
  });

  it("keeps an idle keep-alive connection open well past Node's 5 s default, so a client or proxy reusing it is not reset", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const live = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
        const request = get(`${platform.gatewayUrl}/health/live`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode, reused: request.reusedSocket }));
        });
        request.on('error', reject);
      });
    try {
      expect(await live()).toEqual({ status: 200, reused: false });
      await sleep(6_000);
      expect(await live()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);

  it('answers readiness with every part it checked', async () => {
    const body = (await (await platform.api('/health/ready')).json()) as { status: string; details: object };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(['conversations', 'mcp-broker', 'redis']);
  });

  it("shares one request's correlation id across the log lines of all three apps", async () => {
    const correlationId = `e2e-${randomUUID()}`;
    const response = await platform.api('/health/ready', { headers: { 'x-request-id': correlationId } });
    expect(response.headers.get('x-request-id')).toBe(correlationId);
    // Lines arrive a moment after the response.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const name of ['gateway', 'conversations', 'mcp-broker']) {
      const process = platform.processes.find((p) => p.name === name)!;
      expect({ app: name, lines: process.logs({ correlationId }).length }).toEqual({ app: name, lines: expect.any(Number) });
      expect(process.logs({ correlationId }).length).toBeGreaterThan(0);
    }
  });
});
