import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributedPlatform, everyRouteEnv } from './distributed-platform.js';
import { waitForMcpServers } from './mcp-servers-ready.js';

/**
 * Hostile and broken input on every route that reads a body, a query or a path parameter. Each
 * answer must be a 2xx (hostile text stored as text is fine) or a 4xx problem+json; never a 5xx.
 * Where a request is refused, the database is as it was before it.
 */

/** Values that have broken parsers, validators, databases and file systems before. */
const hostileValues: unknown[] = [
  null,
  42,
  -1,
  1e308,
  true,
  [],
  {},
  [1, 2, 3],
  '',
  ' ',
  'x'.repeat(100_000),
  '\u0000',
  'nul\u0000inside',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil\u202c',
  '\ufeffbom',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦'.repeat(40),
  '𝕏',
  "'; DROP TABLE users; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://example.com/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
];

/** Raw bodies that are not the JSON a route expects. */
const brokenBodies: [string, string, string | Buffer][] = [
  ['malformed JSON', 'application/json', '{"title": '],
  ['a JSON string', 'application/json', '"just a string"'],
  ['a JSON array', 'application/json', '[1, 2, 3]'],
  ['JSON null', 'application/json', 'null'],
  ['prototype pollution', 'application/json', '{"__proto__": {"role": "admin", "isAdmin": true}, "constructor": {"prototype": {"x": 1}}}'],
  ['deep nesting', 'application/json', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`],
  ['a huge body', 'application/json', JSON.stringify({ title: 'x'.repeat(3_000_000) })],
  ['form data', 'application/x-www-form-urlencoded', 'title=hello&pinned=true'],
  ['plain text', 'text/plain', 'hello'],
  ['not UTF-8', 'application/json; charset=utf-8', Buffer.from([...Buffer.from('{"title": "'), 0xff, 0xfe, ...Buffer.from('"}')])],
  ['an unknown charset', 'application/json; charset=klingon', '{"title": "x"}'],
];

interface BodyRoute {
  method: 'POST' | 'PATCH';
  path: (context: Context) => string;
  /** A body the route accepts: each field in turn is replaced by each hostile value, and one unknown field is added. */
  valid: (context: Context) => Record<string, unknown>;
}

interface QueryRoute {
  path: (context: Context) => string;
  parameters: string[];
}

interface Context {
  conversationId: string;
  userId: string;
  /** A turn (direct mode, ended) and its question, in that conversation. */
  turnId: string;
  messageId: string;
}

const bodyRoutes: Record<string, BodyRoute> = {
  register: { method: 'POST', path: () => '/api/v1/auth/register', valid: () => ({ email: 'fresh@example.com', password: 'a long hostile-input passphrase', name: 'Fresh' }) },
  login: { method: 'POST', path: () => '/api/v1/auth/login', valid: () => ({ email: 'nobody-here@example.com', password: 'a long hostile-input passphrase' }) },
  'api key': { method: 'POST', path: () => '/api/v1/api-keys', valid: () => ({ name: 'key', scopes: ['chat'], expiresAt: '2099-01-01T00:00:00Z' }) },
  invitation: { method: 'POST', path: () => '/api/v1/admin/invitations', valid: () => ({ email: 'invited@example.com', role: 'member', expiresInDays: 7 }) },
  'admin user change': { method: 'PATCH', path: ({ userId }) => `/api/v1/admin/users/${userId}`, valid: () => ({ role: 'member', disabled: false }) },
  'new conversation': { method: 'POST', path: () => '/api/v1/conversations', valid: () => ({ title: 'Fine', model: 'gpt-test' }) },
  'conversation change': { method: 'PATCH', path: ({ conversationId }) => `/api/v1/conversations/${conversationId}`, valid: () => ({ title: 'Fine', pinned: false, archived: false, model: 'gpt-test' }) },
  'chat message': { method: 'POST', path: ({ conversationId }) => `/api/v1/conversations/${conversationId}/messages`, valid: () => ({ content: 'How many rows?', attachments: [] }) },
  'chat approval': { method: 'POST', path: ({ turnId }) => `/api/v1/turns/${turnId}/approvals`, valid: () => ({ toolCallId: 'call_1', decision: 'approve', remember: 'conversation' }) },
  regenerate: { method: 'POST', path: ({ messageId }) => `/api/v1/messages/${messageId}/regenerate`, valid: () => ({ model: 'no-model-here' }) },
  'tool call': { method: 'POST', path: () => '/api/v1/mcp/tools/everything__echo/call', valid: () => ({ arguments: { message: 'hi' }, timeoutMs: 5_000 }) },
};

const queryRoutes: Record<string, QueryRoute> = {
  conversations: { path: () => '/api/v1/conversations', parameters: ['limit', 'cursor', 'q', 'archived'] },
  messages: { path: ({ conversationId }) => `/api/v1/conversations/${conversationId}/messages`, parameters: ['limit', 'cursor'] },
  export: { path: ({ conversationId }) => `/api/v1/conversations/${conversationId}/export`, parameters: ['format'] },
  users: { path: () => '/api/v1/admin/users', parameters: ['limit', 'after'] },
  'tool grants': { path: () => '/api/v1/tool-grants', parameters: ['conversationId'] },
};

/** Path parameters: every route with an id gets each of these in its place. */
const idRoutes = [
  (id: string) => ({ method: 'GET', path: `/api/v1/conversations/${id}` }),
  (id: string) => ({ method: 'DELETE', path: `/api/v1/conversations/${id}` }),
  (id: string) => ({ method: 'GET', path: `/api/v1/conversations/${id}/messages` }),
  (id: string) => ({ method: 'DELETE', path: `/api/v1/api-keys/${id}` }),
  (id: string) => ({ method: 'PATCH', path: `/api/v1/admin/users/${id}` }),
  (id: string) => ({ method: 'GET', path: `/api/v1/mcp/servers/${id}` }),
  (id: string) => ({ method: 'GET', path: `/api/v1/turns/${id}/events` }),
  (id: string) => ({ method: 'POST', path: `/api/v1/turns/${id}/cancel` }),
  (id: string) => ({ method: 'GET', path: `/api/v1/conversations/${id}/turns` }),
  (id: string) => ({ method: 'POST', path: `/api/v1/turns/${id}/approvals` }),
  (id: string) => ({ method: 'POST', path: `/api/v1/messages/${id}/regenerate` }),
  (id: string) => ({ method: 'POST', path: `/api/v1/conversations/${id}/messages` }),
  (id: string) => ({ method: 'POST', path: `/api/v1/mcp/tools/${id}/call` }),
  (id: string) => ({ method: 'DELETE', path: `/api/v1/tool-grants/${id}` }),
];
const hostileIds = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', '..%2F..%2Fetc%2Fpasswd', '%00', '%E2%80%AE', "1'%20OR%20'1'='1", 'x'.repeat(5_000), '%F0%9F%91%A9'];

describe('bad input on every route: a clear 4xx, never a 5xx, and nothing written (distributed)', () => {
  let platform: DistributedPlatform;
  let logDir: string;
  let context: Context;
  const failures: string[] = [];

  /** Every row a refused request must not change (the audit log and sign-in bookkeeping aside). */
  const fingerprint = async () =>
    JSON.stringify(
      await platform.database.query(`SELECT
        (SELECT md5(coalesce(string_agg(id || email || name || role || disabled, ',' ORDER BY id), '')) FROM users) AS users,
        (SELECT md5(coalesce(string_agg(id || title || pinned || archived || coalesce(model, '') || coalesce(deleted_at::text, ''), ',' ORDER BY id), '')) FROM conversations) AS conversations,
        (SELECT count(*) FROM messages) AS messages,
        (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM tool_grants) AS grants,
        (SELECT md5(coalesce(string_agg(id || name || coalesce(revoked_at::text, ''), ',' ORDER BY id), '')) FROM api_keys) AS keys`),
    );

  /** Sends one request and checks the answer; a refused one must leave the database alone. */
  async function probe(label: string, path: string, init: RequestInit): Promise<number> {
    const before = await fingerprint();
    let response: Response;
    try {
      response = await platform.api(path, init);
    } catch (error) {
      failures.push(`${label}: no answer (${String(error)})`);
      return 0;
    }
    const body = await response.text();
    if (response.status >= 500) failures.push(`${label}: ${response.status} ${body.slice(0, 200)}`);
    if (response.status >= 400) {
      if (!response.headers.get('content-type')?.includes('application/problem+json')) failures.push(`${label}: ${response.status} is not problem+json`);
      else if (!(JSON.parse(body) as { detail?: string }).detail) failures.push(`${label}: ${response.status} says nothing about the problem`);
      if ((await fingerprint()) !== before) failures.push(`${label}: refused with ${response.status}, but the database changed`);
    }
    return response.status;
  }

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'dataflow-bad-input-'));
    platform = new DistributedPlatform({ env: { ...everyRouteEnv(logDir), LOG_LEVEL: 'warn' } });
    await platform.start();
    await waitForMcpServers(platform.gatewayUrl, ['everything'], platform.signedInHeaders);
    const conversation = (await (await platform.api('/api/v1/conversations', { method: 'POST', body: JSON.stringify({ title: 'Target' }) })).json()) as { id: string };
    const member = await platform.api('/api/v1/auth/register', {
      method: 'POST',
      headers: { authorization: '' },
      body: JSON.stringify({ email: 'member@example.com', password: 'a long hostile-input passphrase', name: 'Member' }),
    });
    const posted = (await (await platform.api(`/api/v1/conversations/${conversation.id}/messages`, { method: 'POST', body: JSON.stringify({ content: '/help' }) })).json()) as {
      turnId: string;
      messageId: string;
    };
    context = { conversationId: conversation.id, userId: ((await member.json()) as { user: { id: string } }).user.id, ...posted };
  });

  afterEach(() => {
    expect(failures.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  it.each(Object.keys(bodyRoutes))('%s: broken bodies, wrong types, hostile strings and unknown fields in every field', async (name) => {
    const route = bodyRoutes[name]!;
    const path = route.path(context);
    for (const [what, type, raw] of brokenBodies) {
      const status = await probe(`${name} with ${what}`, path, { method: route.method, headers: { 'content-type': type }, body: raw });
      if (status < 400) failures.push(`${name} with ${what}: accepted (${status})`);
    }
    const valid = route.valid(context);
    const extra = await probe(`${name} with an unknown field`, path, { method: route.method, body: JSON.stringify({ ...valid, isAdmin: true }) });
    if (extra !== 400) failures.push(`${name} with an unknown field: ${extra}, not 400`);
    for (const field of Object.keys(valid)) {
      for (const value of hostileValues) {
        const label = `${name}: ${field} = ${JSON.stringify(value)?.slice(0, 40)}`;
        await probe(label, path, { method: route.method, body: JSON.stringify({ ...valid, [field]: value }) });
      }
    }
  });

  it.each(Object.keys(queryRoutes))('%s: hostile values in every query parameter, and parameters it does not know', async (name) => {
    const route = queryRoutes[name]!;
    const path = route.path(context);
    for (const parameter of [...route.parameters, 'unknown']) {
      // Raw escapes as well: NUL, bytes that are not UTF-8, and a lone surrogate as CESU-8.
      for (const value of [...hostileValues.filter((v): v is string | number | boolean => typeof v !== 'object' && !/[\ud800-\udfff]/.test(String(v))), '%00', '%ff%fe', '%ED%A0%80']) {
        const encoded = typeof value === 'string' && value.startsWith('%') ? value : encodeURIComponent(String(value));
        await probe(`${name}?${parameter}=${String(value).slice(0, 40)}`, `${path}?${parameter}=${encoded}`, {});
      }
      await probe(`${name}?${parameter} twice`, `${path}?${parameter}=1&${parameter}=2`, {});
      await probe(`${name}?${parameter}[nested]`, `${path}?${parameter}[a][b]=1`, {});
    }
  });

  it('answers 404 or 400 to hostile ids in every path parameter', async () => {
    for (const route of idRoutes) {
      for (const id of hostileIds) {
        const { method, path } = route(id);
        const status = await probe(`${method} ${path.slice(0, 80)}`, path, { method, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
        if (status !== 404 && status !== 400) failures.push(`${method} ${path.slice(0, 80)}: ${status}, not 404 or 400`);
      }
    }
  });

  it('is still up and well after all that', async () => {
    expect((await platform.api('/health/ready')).status).toBe(200);
    for (const process of platform.processes) expect({ name: process.name, running: process.running }).toEqual({ name: process.name, running: true });
  });
});
