import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiKeyScope, apiKeyScopes } from '@dataflow/shared';
import { DistributedPlatform, e2eJwtSecret, everyRouteEnv } from './distributed-platform.js';
import { waitForMcpServers } from './mcp-servers-ready.js';
import { multipart, multipartType } from './multipart.js';

/**
 * Every route against every kind of caller. The route table below says, for each route, who may
 * call it (the same kinds as the gateway's `Access`), whether it names something the member owns
 * (another user then gets 404, never 403), and how to make one request that succeeds. The
 * expected status of each caller follows from that, not from a list typed by hand. The table is
 * checked against the routes the gateway publishes (OpenAPI, plus `/mcp`): a route missing from
 * the table, or a row for a route that is gone, fails the suite.
 */

type Access = 'public' | 'session' | 'caller' | 'admin' | { scope: ApiKeyScope };

interface Request {
  path: string;
  init?: RequestInit;
}

interface Route {
  access: Access;
  /** The request names something the member owns: another user's is a 404. */
  owned?: boolean;
  /** The status of a request that succeeds. */
  ok: number;
  /** One request (made fresh for each caller, so that deleting routes have something to delete). */
  request: (context: Context) => Promise<Request> | Request;
  /** Where the route adds a rule of its own to its declared access. */
  adjust?: (caller: CallerName, expected: number) => number;
}

type CallerName = 'nobody' | 'member' | 'other member' | 'admin' | `key:${ApiKeyScope}` | 'expired key' | 'revoked key' | 'expired token';

interface Caller {
  name: CallerName;
  authorization: string;
  /** The user behind it, for keys: the admin-scope key is the admin's; the others are the member's. */
  user?: 'member' | 'other member' | 'admin';
  scopes?: ApiKeyScope[];
  valid: boolean;
}

interface Context {
  member: { authorization: string; id: string; email: string };
  conversationId: string;
  uploadId: string;
  turnId: string;
  /** The member's question of that turn. */
  messageId: string;
  targetUserId: string;
  newConversation(): Promise<string>;
  newApiKey(): Promise<string>;
  newInvitation(): Promise<string>;
  newUpload(): Promise<string>;
  newToolGrant(): Promise<string>;
  refreshCookie(): Promise<string>;
}

const password = 'an access-control passphrase';
const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'access-control', version: '1.0.0' } },
});
let registrations = 0;
let grants = 0;
const uploadInit = (): RequestInit => ({ method: 'POST', headers: { 'content-type': multipartType }, body: multipart('sales.csv', 'region,amount\nnorth,1\n') });

const routes: Record<string, Route> = {
  'GET /health/live': { access: 'public', ok: 200, request: () => ({ path: '/health/live' }) },
  'GET /health/ready': { access: 'public', ok: 200, request: () => ({ path: '/health/ready' }) },
  'POST /api/v1/auth/register': {
    access: 'public',
    ok: 201,
    request: () => ({ path: '/api/v1/auth/register', init: json({ email: `new-${++registrations}@example.com`, password, name: 'New' }) }),
  },
  'GET /api/v1/auth/setup': { access: 'public', ok: 200, request: () => ({ path: '/api/v1/auth/setup' }) },
  'POST /api/v1/auth/login': { access: 'public', ok: 200, request: ({ member }) => ({ path: '/api/v1/auth/login', init: json({ email: member.email, password }) }) },
  'POST /api/v1/auth/refresh': { access: 'public', ok: 200, request: async (context) => ({ path: '/api/v1/auth/refresh', init: { method: 'POST', headers: { cookie: await context.refreshCookie() } } }) },
  'POST /api/v1/auth/logout': { access: 'public', ok: 204, request: async (context) => ({ path: '/api/v1/auth/logout', init: { method: 'POST', headers: { cookie: await context.refreshCookie() } } }) },
  'GET /api/v1/auth/me': { access: 'caller', ok: 200, request: () => ({ path: '/api/v1/auth/me' }) },
  'PATCH /api/v1/auth/me': { access: 'session', ok: 200, request: () => ({ path: '/api/v1/auth/me', init: { method: 'PATCH', body: JSON.stringify({ name: 'Renamed by a caller' }) } }) },
  'POST /api/v1/auth/password': {
    access: 'session',
    ok: 204,
    // The members' password, kept as it is: every session that gets past access control changes its own.
    request: () => ({ path: '/api/v1/auth/password', init: json({ currentPassword: password, newPassword: password }) }),
    // The admin's password is another: past access control, a wrong current password is a 403.
    adjust: (caller, expected) => (caller === 'admin' && expected === 204 ? 403 : expected),
  },

  'POST /api/v1/api-keys': { access: 'session', ok: 201, request: () => ({ path: '/api/v1/api-keys', init: json({ name: 'made by a caller', scopes: ['chat'] }) }) },
  'GET /api/v1/api-keys': { access: 'session', ok: 200, request: () => ({ path: '/api/v1/api-keys' }) },
  'DELETE /api/v1/api-keys/{id}': { access: 'session', owned: true, ok: 204, request: async (context) => ({ path: `/api/v1/api-keys/${await context.newApiKey()}`, init: { method: 'DELETE' } }) },

  'GET /api/v1/admin/users': { access: 'admin', ok: 200, request: () => ({ path: '/api/v1/admin/users' }) },
  'PATCH /api/v1/admin/users/{id}': {
    access: 'admin',
    ok: 200,
    request: ({ targetUserId }) => ({ path: `/api/v1/admin/users/${targetUserId}`, init: { method: 'PATCH', body: JSON.stringify({ disabled: false }) } }),
  },
  'POST /api/v1/admin/invitations': { access: 'admin', ok: 201, request: () => ({ path: '/api/v1/admin/invitations', init: json({ role: 'member' }) }) },
  'GET /api/v1/admin/invitations': { access: 'admin', ok: 200, request: () => ({ path: '/api/v1/admin/invitations' }) },
  'DELETE /api/v1/admin/invitations/{id}': { access: 'admin', ok: 204, request: async (context) => ({ path: `/api/v1/admin/invitations/${await context.newInvitation()}`, init: { method: 'DELETE' } }) },

  'POST /api/v1/conversations': { access: { scope: 'conversations:write' }, ok: 201, request: () => ({ path: '/api/v1/conversations', init: json({ title: 'By a caller' }) }) },
  'GET /api/v1/conversations': { access: { scope: 'conversations:read' }, ok: 200, request: () => ({ path: '/api/v1/conversations' }) },
  'GET /api/v1/conversations/{id}': { access: { scope: 'conversations:read' }, owned: true, ok: 200, request: ({ conversationId }) => ({ path: `/api/v1/conversations/${conversationId}` }) },
  'PATCH /api/v1/conversations/{id}': {
    access: { scope: 'conversations:write' },
    owned: true,
    ok: 200,
    request: ({ conversationId }) => ({ path: `/api/v1/conversations/${conversationId}`, init: { method: 'PATCH', body: JSON.stringify({ pinned: true }) } }),
  },
  'DELETE /api/v1/conversations/{id}': {
    access: { scope: 'conversations:write' },
    owned: true,
    ok: 204,
    request: async (context) => ({ path: `/api/v1/conversations/${await context.newConversation()}`, init: { method: 'DELETE' } }),
  },
  'GET /api/v1/conversations/{id}/messages': {
    access: { scope: 'conversations:read' },
    owned: true,
    ok: 200,
    request: ({ conversationId }) => ({ path: `/api/v1/conversations/${conversationId}/messages` }),
  },
  'GET /api/v1/conversations/{id}/export': {
    access: { scope: 'conversations:read' },
    owned: true,
    ok: 200,
    request: ({ conversationId }) => ({ path: `/api/v1/conversations/${conversationId}/export?format=json` }),
  },

  'POST /api/v1/files': { access: { scope: 'files' }, ok: 201, request: () => ({ path: '/api/v1/files', init: uploadInit() }) },
  'GET /api/v1/files': { access: { scope: 'files' }, ok: 200, request: () => ({ path: '/api/v1/files' }) },
  'GET /api/v1/files/usage': { access: { scope: 'files' }, ok: 200, request: () => ({ path: '/api/v1/files/usage' }) },
  'GET /api/v1/files/{id}': { access: { scope: 'files' }, owned: true, ok: 200, request: ({ uploadId }) => ({ path: `/api/v1/files/${uploadId}` }) },
  // 409: this platform has no data server, so no columnar cache.
  'GET /api/v1/files/{id}/ingestion': { access: { scope: 'files' }, owned: true, ok: 409, request: ({ uploadId }) => ({ path: `/api/v1/files/${uploadId}/ingestion` }) },
  'POST /api/v1/files/{id}/ingestion': { access: { scope: 'files' }, owned: true, ok: 409, request: ({ uploadId }) => ({ path: `/api/v1/files/${uploadId}/ingestion`, init: { method: 'POST' } }) },
  'DELETE /api/v1/files/{id}/ingestion': { access: { scope: 'files' }, owned: true, ok: 409, request: ({ uploadId }) => ({ path: `/api/v1/files/${uploadId}/ingestion`, init: { method: 'DELETE' } }) },
  'DELETE /api/v1/files/{id}': { access: { scope: 'files' }, owned: true, ok: 204, request: async (context) => ({ path: `/api/v1/files/${await context.newUpload()}`, init: { method: 'DELETE' } }) },

  'GET /api/v1/models': { access: { scope: 'chat' }, ok: 200, request: () => ({ path: '/api/v1/models' }) },
  'POST /api/v1/conversations/{id}/messages': {
    access: { scope: 'chat' },
    owned: true,
    ok: 202,
    request: ({ conversationId }) => ({ path: `/api/v1/conversations/${conversationId}/messages`, init: json({ content: '/help' }) }),
  },
  'GET /api/v1/conversations/{id}/turns': { access: { scope: 'chat' }, owned: true, ok: 200, request: ({ conversationId }) => ({ path: `/api/v1/conversations/${conversationId}/turns` }) },
  'GET /api/v1/turns/{turnId}/events': { access: { scope: 'chat' }, owned: true, ok: 200, request: ({ turnId }) => ({ path: `/api/v1/turns/${turnId}/events` }) },
  // The member's turn (direct mode) has ended by now: a caller who gets past access control is told so (409).
  'POST /api/v1/turns/{turnId}/cancel': { access: { scope: 'chat' }, owned: true, ok: 409, request: ({ turnId }) => ({ path: `/api/v1/turns/${turnId}/cancel`, init: { method: 'POST' } }) },
  'POST /api/v1/turns/{turnId}/approvals': {
    access: { scope: 'chat' },
    owned: true,
    ok: 409,
    request: ({ turnId }) => ({ path: `/api/v1/turns/${turnId}/approvals`, init: json({ toolCallId: 'call_1', decision: 'approve' }) }),
  },
  'POST /api/v1/messages/{id}/regenerate': { access: { scope: 'chat' }, owned: true, ok: 202, request: ({ messageId }) => ({ path: `/api/v1/messages/${messageId}/regenerate`, init: json({}) }) },
  'GET /api/v1/tool-grants': { access: { scope: 'chat' }, ok: 200, request: ({ conversationId }) => ({ path: `/api/v1/tool-grants?conversationId=${conversationId}` }) },
  'DELETE /api/v1/tool-grants/{id}': {
    access: { scope: 'chat' },
    owned: true,
    ok: 204,
    request: async (context) => ({ path: `/api/v1/tool-grants/${await context.newToolGrant()}`, init: { method: 'DELETE' } }),
  },

  'GET /api/v1/mcp/servers': { access: { scope: 'mcp:call' }, ok: 200, request: () => ({ path: '/api/v1/mcp/servers' }) },
  'GET /api/v1/mcp/servers/{name}': { access: { scope: 'mcp:call' }, ok: 200, request: () => ({ path: '/api/v1/mcp/servers/everything' }) },
  'POST /api/v1/mcp/servers/{name}/restart': {
    access: { scope: 'mcp:call' },
    ok: 200,
    request: () => ({ path: '/api/v1/mcp/servers/fixture/restart', init: { method: 'POST' } }),
    // A shared server serves every user: only an admin restarts it.
    adjust: (caller, expected) => (expected === 200 && caller !== 'admin' ? 403 : expected),
  },
  'POST /api/v1/mcp/servers/{name}/disable': { access: 'admin', ok: 200, request: () => ({ path: '/api/v1/mcp/servers/fixture/disable', init: { method: 'POST' } }) },
  'POST /api/v1/mcp/servers/{name}/enable': { access: 'admin', ok: 200, request: () => ({ path: '/api/v1/mcp/servers/fixture/enable', init: { method: 'POST' } }) },
  'GET /api/v1/mcp/tools': { access: { scope: 'mcp:call' }, ok: 200, request: () => ({ path: '/api/v1/mcp/tools' }) },
  'POST /api/v1/mcp/tools/{qualifiedName}/call': {
    access: { scope: 'mcp:call' },
    ok: 200,
    request: () => ({ path: '/api/v1/mcp/tools/everything__echo/call', init: json({ arguments: { message: 'hi' } }) }),
  },
  'GET /api/v1/mcp/resources': { access: { scope: 'mcp:call' }, ok: 200, request: () => ({ path: '/api/v1/mcp/resources' }) },
  'GET /api/v1/mcp/prompts': { access: { scope: 'mcp:call' }, ok: 200, request: () => ({ path: '/api/v1/mcp/prompts' }) },
  'POST /api/v1/admin/mcp/reload': { access: 'admin', ok: 200, request: () => ({ path: '/api/v1/admin/mcp/reload', init: { method: 'POST' } }) },

  // The MCP endpoint is not a REST route, so it is not in the OpenAPI document; it is listed here all the same.
  'POST /mcp': {
    access: { scope: 'mcp:call' },
    ok: 200,
    request: () => ({ path: '/mcp', init: { method: 'POST', headers: { accept: 'application/json, text/event-stream' }, body: initialize } }),
  },
};

/** What a caller should get from a route, from the route's access alone. */
function expectedStatus(route: Route, caller: Caller): number {
  const { access } = route;
  if (access === 'public') return route.ok;
  if (!caller.valid) return 401;
  const isKey = caller.scopes !== undefined;
  let status = route.ok;
  if (access === 'session' && isKey) status = 403;
  else if (access === 'admin' && (caller.user !== 'admin' || (isKey && !caller.scopes!.includes('admin')))) status = 403;
  else if (typeof access === 'object' && isKey && !caller.scopes!.includes(access.scope)) status = 403;
  else if (route.owned && caller.user !== 'member') status = 404;
  return route.adjust ? route.adjust(caller.name, status) : status;
}

describe('access control: every route against every kind of caller (distributed)', () => {
  let platform: DistributedPlatform;
  let logDir: string;
  let context: Context;
  const callers: Caller[] = [];

  const api = (path: string, authorization: string, init: RequestInit = {}) =>
    platform.api(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization } });

  async function register(email: string): Promise<{ authorization: string; id: string; email: string }> {
    const response = await api('/api/v1/auth/register', '', json({ email, password, name: email }));
    if (response.status !== 201) throw new Error(`could not register ${email}: ${await response.text()}`);
    const session = (await response.json()) as { accessToken: string; user: { id: string } };
    return { authorization: `Bearer ${session.accessToken}`, id: session.user.id, email };
  }

  async function makeKey(authorization: string, scopes: ApiKeyScope[], expiresAt?: string): Promise<{ key: string; id: string }> {
    const response = await api('/api/v1/api-keys', authorization, json({ name: scopes.join(' '), scopes, expiresAt }));
    if (response.status !== 201) throw new Error(`could not make a key: ${await response.text()}`);
    const made = (await response.json()) as { key: string; apiKey: { id: string } };
    return { key: made.key, id: made.apiKey.id };
  }

  /** The member's own access token with its expiry moved into the past, signed as the gateway would. */
  function expiredTokenOf(authorization: string): string {
    const [head, payload] = authorization.slice('Bearer '.length).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { exp: number };
    const body = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 })).toString('base64url');
    return `Bearer ${head}.${body}.${createHmac('sha256', e2eJwtSecret).update(`${head}.${body}`).digest('base64url')}`;
  }

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'dataflow-access-'));
    platform = new DistributedPlatform({ env: everyRouteEnv(logDir) });
    await platform.start();
    const admin = { authorization: `Bearer ${platform.accessToken}` };
    await waitForMcpServers(platform.gatewayUrl, ['everything', 'fixture'], admin);
    const member = await register('member@example.com');
    const other = await register('other@example.com');
    const target = await register('target@example.com');

    const expiresAt = Date.now() + 1_500;
    const expiring = await makeKey(member.authorization, ['conversations:read'], new Date(expiresAt).toISOString());
    const revoked = await makeKey(member.authorization, ['conversations:read']);
    await api(`/api/v1/api-keys/${revoked.id}`, member.authorization, { method: 'DELETE' });
    callers.push(
      { name: 'nobody', authorization: '', valid: false },
      { name: 'member', authorization: member.authorization, user: 'member', valid: true },
      { name: 'other member', authorization: other.authorization, user: 'other member', valid: true },
      { name: 'admin', authorization: admin.authorization, user: 'admin', valid: true },
    );
    for (const scope of apiKeyScopes) {
      const owner = scope === 'admin' ? admin : member; // only an admin can make an admin key
      callers.push({ name: `key:${scope}`, authorization: `Bearer ${(await makeKey(owner.authorization, [scope])).key}`, user: scope === 'admin' ? 'admin' : 'member', scopes: [scope], valid: true });
    }
    callers.push(
      { name: 'expired key', authorization: `Bearer ${expiring.key}`, valid: false },
      { name: 'revoked key', authorization: `Bearer ${revoked.key}`, valid: false },
      { name: 'expired token', authorization: expiredTokenOf(member.authorization), valid: false },
    );

    const newUpload = async () => ((await (await api('/api/v1/files', member.authorization, uploadInit())).json()) as { id: string }).id;
    const newConversation = async () => ((await (await api('/api/v1/conversations', member.authorization, json({ title: 'Owned' }))).json()) as { id: string }).id;
    const conversationId = await newConversation();
    const posted = await api(`/api/v1/conversations/${conversationId}/messages`, member.authorization, json({ content: 'hello' }));
    const { turnId, messageId } = (await posted.json()) as { turnId: string; messageId: string };
    context = {
      member,
      conversationId,
      turnId,
      messageId,
      uploadId: await newUpload(),
      newUpload,
      // Grants are made by answering an approval in a turn; here, straight into the database.
      newToolGrant: async () =>
        ((await platform.database.query(`INSERT INTO tool_grants (user_id, tool) VALUES ($1, $2) RETURNING id`, [member.id, `fixture__tool_${++grants}`])) as { id: string }[])[0]!.id,
      targetUserId: target.id,
      newConversation,
      newApiKey: async () => (await makeKey(member.authorization, ['chat'])).id,
      newInvitation: async () => ((await (await api('/api/v1/admin/invitations', admin.authorization, json({}))).json()) as { invitation: { id: string } }).invitation.id,
      refreshCookie: async () => {
        const login = await api('/api/v1/auth/login', '', json({ email: member.email, password }));
        return login.headers.getSetCookie().find((cookie) => cookie.startsWith('dfc_refresh='))!.split(';')[0]!;
      },
    };
    await sleep(Math.max(0, expiresAt + 200 - Date.now()));
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  it('has a row for every route the gateway publishes, and no row for a route that is gone', async () => {
    const document = (await (await platform.api('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const published = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    published.push('POST /mcp');
    expect({ missingFromTable: published.filter((route) => !(route in routes)), goneFromGateway: Object.keys(routes).filter((route) => !published.includes(route)) }).toEqual({
      missingFromTable: [],
      goneFromGateway: [],
    });
  });

  it.each(Object.keys(routes))('%s', async (key) => {
    const route = routes[key]!;
    const expected: Record<string, number> = {};
    const actual: Record<string, number> = {};
    for (const caller of callers) {
      const { path, init = {} } = await route.request(context);
      const response = await api(path, caller.authorization, init);
      await response.arrayBuffer();
      expected[caller.name] = expectedStatus(route, caller);
      actual[caller.name] = response.status;
      if (response.status >= 400 && path !== '/mcp') expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(actual).toEqual(expected);
  });
});
