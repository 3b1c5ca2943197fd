import { createHmac } from 'node:crypto';
import { DistributedPlatform, e2eJwtSecret } from './distributed-platform.js';

const json = { 'content-type': 'application/json' };
const strongPassword = 'a long and unusual passphrase';

interface Session {
  accessToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string; role: string };
}

/** The refresh cookie a response set, as a browser would send it back. */
function refreshCookieOf(response: Response): string {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith('dfc_refresh='));
  if (!header) throw new Error(`no refresh cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  return header.split(';')[0];
}

describe('accounts and sessions (distributed)', () => {
  let platform: DistributedPlatform;

  beforeAll(async () => {
    // The rate limits have their own suite below; here they must not get in the way.
    platform = new DistributedPlatform({ signedIn: false, env: { REGISTRATION: 'open', ACCESS_TOKEN_TTL_SECONDS: '60', AUTH_RATE_LIMIT_PER_MINUTE: '1000', AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE: '1000' } });
    await platform.start();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    platform.api(`/api/v1/auth/${path}`, { method: 'POST', headers: { ...json, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const me = (token: string) => platform.api('/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } });

  it('makes the first account admin and the next one a member, with a session each', async () => {
    const first = await post('register', { email: 'Ada@example.com', password: strongPassword, name: 'Ada' });
    expect(first.status).toBe(201);
    const session = (await first.json()) as Session;
    expect(session).toMatchObject({ expiresIn: 60, user: { email: 'Ada@example.com', name: 'Ada', role: 'admin' } });
    const cookie = first.headers.getSetCookie().find((header) => header.startsWith('dfc_refresh='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth/);
    expect(((await (await me(session.accessToken)).json()) as Session['user']).role).toBe('admin');

    const second = await post('register', { email: 'bob@example.com', password: strongPassword, name: 'Bob' });
    expect(((await second.json()) as Session).user.role).toBe('member');
  });

  it('refuses weak passwords, taken emails and bad input with problem+json', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ email: 'c@example.com', password: 'short', name: 'C' }, 400, /at least 12 characters/],
      [{ email: 'c@example.com', password: 'password1234', name: 'C' }, 400, /too common/],
      [{ email: 'c@example.com', password: 'aaaaaaaaaaaaaaa', name: 'C' }, 400, /too common or too simple/],
      [{ email: 'ADA@example.com', password: strongPassword, name: 'Again' }, 409, /exists already/],
      [{ email: 'not-an-email', password: strongPassword, name: 'C' }, 400, /email must be an email address/],
      [{ email: 'c@example.com', password: strongPassword, name: 'C', role: 'admin' }, 400, /role should not exist/],
    ];
    for (const [body, status, detail] of cases) {
      const response = await post('register', body);
      expect({ body, status: response.status }).toEqual({ body, status });
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
    }
  });

  it('signs in with the right password only, in the same words for a wrong password and an unknown email', async () => {
    const ok = await post('login', { email: 'ada@example.com', password: strongPassword });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Session).user.email).toBe('Ada@example.com');
    const wrong = await post('login', { email: 'ada@example.com', password: 'not the password at all' });
    const unknown = await post('login', { email: 'nobody@example.com', password: strongPassword });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(((await wrong.json()) as { detail: string }).detail).toBe(((await unknown.json()) as { detail: string }).detail);
  });

  it('locks an account after 5 failed sign-ins in a row, with Retry-After, and audits it', async () => {
    await post('register', { email: 'carol@example.com', password: strongPassword, name: 'Carol' });
    const attempts: number[] = [];
    for (let i = 0; i < 5; i++) attempts.push((await post('login', { email: 'carol@example.com', password: `wrong guess number ${i}` })).status);
    expect(attempts).toEqual([401, 401, 401, 401, 429]);
    const lockedOut = await post('login', { email: 'carol@example.com', password: strongPassword });
    expect(lockedOut.status).toBe(429);
    expect(Number(lockedOut.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(((await lockedOut.json()) as { detail: string }).detail).toMatch(/locked for 15 more minute/);
    // An email without an account never locks, so the lockout cannot be used to probe for accounts' absence.
    for (let i = 0; i < 6; i++) expect((await post('login', { email: 'nobody@example.com', password: 'wrong guess again' })).status).toBe(401);

    const audit = (await platform.database.query(
      `SELECT a.action, count(*)::int AS n FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE u.email = 'carol@example.com' GROUP BY a.action ORDER BY a.action`,
    )) as { action: string; n: number }[];
    expect(audit).toEqual([
      { action: 'login.failed', n: 5 },
      { action: 'login.locked', n: 1 },
    ]);
  });

  it('rotates the refresh token, and a reused one signs out its whole family', async () => {
    const login = await post('login', { email: 'bob@example.com', password: strongPassword });
    const first = refreshCookieOf(login);
    const refreshed = await post('refresh', undefined, { cookie: first });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Session).user.email).toBe('bob@example.com');
    const second = refreshCookieOf(refreshed);
    expect(second).not.toBe(first);

    // The old token again: a replay. Its family, the second token included, is revoked.
    const replay = await post('refresh', undefined, { cookie: first });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { detail: string }).detail).toMatch(/signed out/);
    expect((await post('refresh', undefined, { cookie: second })).status).toBe(401);

    // Another login is a new family, untouched.
    const again = await post('login', { email: 'bob@example.com', password: strongPassword });
    expect((await post('refresh', undefined, { cookie: refreshCookieOf(again) })).status).toBe(200);
    expect(await platform.database.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'token.reused'`)).toEqual([{ n: 1 }]);
  });

  it('logs out: the refresh token stops working', async () => {
    const login = await post('login', { email: 'ada@example.com', password: strongPassword });
    const cookie = refreshCookieOf(login);
    const out = await post('logout', undefined, { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/dfc_refresh=;/);
    expect((await post('refresh', undefined, { cookie })).status).toBe(401);
    expect((await post('refresh')).status).toBe(401);
  });

  it('accepts only its own HS256 tokens on /auth/me', async () => {
    const login = (await (await post('login', { email: 'ada@example.com', password: strongPassword })).json()) as Session;
    expect((await me(login.accessToken)).status).toBe(200);
    const [header, payload] = login.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const sign = (claimsToSign: object, key = e2eJwtSecret, alg = 'HS256') => {
      const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
      const body = Buffer.from(JSON.stringify(claimsToSign)).toString('base64url');
      return `${head}.${body}.${alg === 'none' ? '' : createHmac('sha256', key).update(`${head}.${body}`).digest('base64url')}`;
    };
    const forged = [
      ['no token', ''],
      ['alg none', sign({ ...claims, role: 'admin' }, undefined, 'none')],
      ['another key', sign(claims, 'somebody else entirely, 0123456789')],
      ['wrong audience', sign({ ...claims, aud: 'another-api' })],
      ['wrong issuer', sign({ ...claims, iss: 'someone-else' })],
      ['expired', sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })],
      ['tampered payload', `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${login.accessToken.split('.')[2]}`],
    ];
    for (const [name, token] of forged) {
      const response = await platform.api('/api/v1/auth/me', { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const expired = await me(sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }));
    expect(((await expired.json()) as { detail: string }).detail).toMatch(/expired.*refresh/);
  });

  describe('API keys', () => {
    let ada: Session;
    let bob: Session;
    const keys = (session: Session, init: RequestInit = {}) =>
      platform.api('/api/v1/api-keys', { ...init, headers: { ...json, authorization: `Bearer ${session.accessToken}` } });

    beforeAll(async () => {
      ada = (await (await post('login', { email: 'ada@example.com', password: strongPassword })).json()) as Session;
      bob = (await (await post('login', { email: 'bob@example.com', password: strongPassword })).json()) as Session;
    });

    it('shows a new key once, keeps only its prefix and hash, and lets it act for its owner', async () => {
      const created = await keys(bob, { method: 'POST', body: JSON.stringify({ name: 'CI export', scopes: ['conversations:read', 'files'] }) });
      expect(created.status).toBe(201);
      const { key, apiKey } = (await created.json()) as { key: string; apiKey: { id: string; prefix: string; scopes: string[]; lastUsedAt: string | null } };
      expect(key).toMatch(/^dfc_[A-Za-z0-9_-]{40}$/);
      expect(apiKey).toMatchObject({ prefix: key.slice(0, 12), scopes: ['conversations:read', 'files'], lastUsedAt: null });
      const listed = (await (await keys(bob)).json()) as Record<string, unknown>[];
      expect(listed).toHaveLength(1);
      expect(JSON.stringify(listed)).not.toContain(key);

      const asKey = await me(key);
      expect(asKey.status).toBe(200);
      expect(((await asKey.json()) as Session['user']).email).toBe('bob@example.com');
      expect(((await (await keys(bob)).json()) as { lastUsedAt: string | null }[])[0].lastUsedAt).not.toBeNull();

      // Another user's key is not found, not forbidden; a key cannot manage keys.
      expect((await platform.api(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ada.accessToken}` } })).status).toBe(404);
      expect((await platform.api('/api/v1/api-keys', { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);

      const revoked = await platform.api(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${bob.accessToken}` } });
      expect(revoked.status).toBe(204);
      expect((await me(key)).status).toBe(401);
      expect((await me(`${key.slice(0, -1)}x`)).status).toBe(401);
      expect(await platform.database.query(`SELECT action, target FROM audit_log WHERE action LIKE 'api_key.%' ORDER BY id`)).toEqual([
        { action: 'api_key.created', target: `api-key:${apiKey.id}` },
        { action: 'api_key.revoked', target: `api-key:${apiKey.id}` },
      ]);
    });

    it('refuses bad key requests: no scopes, unknown scopes, a past expiry, an admin scope for a member', async () => {
      const cases: [unknown, number, RegExp][] = [
        [{ name: 'x', scopes: [] }, 400, /at least one scope/],
        [{ name: 'x', scopes: ['everything'] }, 400, /each scope must be one of/],
        [{ name: 'x', scopes: ['chat'], expiresAt: '2001-01-01T00:00:00Z' }, 400, /in the future/],
        [{ name: 'x', scopes: ['chat'], expiresAt: 'tomorrow' }, 400, /ISO 8601/],
        [{ name: '', scopes: ['chat'] }, 400, /1 to 100 characters/],
        [{ name: 'x', scopes: ['admin'] }, 403, /Only an admin/],
      ];
      for (const [body, status, detail] of cases) {
        const response = await keys(bob, { method: 'POST', body: JSON.stringify(body) });
        expect({ body, status: response.status }).toEqual({ body, status });
        expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
      }
      expect((await platform.api('/api/v1/api-keys/not-a-uuid', { method: 'DELETE', headers: { authorization: `Bearer ${bob.accessToken}` } })).status).toBe(404);
    });

    it('stops honouring a key when it expires', async () => {
      const created = await keys(ada, { method: 'POST', body: JSON.stringify({ name: 'short-lived', scopes: ['admin'], expiresAt: new Date(Date.now() + 1_500).toISOString() }) });
      expect(created.status).toBe(201);
      const { key } = (await created.json()) as { key: string };
      expect((await me(key)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await me(key)).status).toBe(401);
    });
  });

  describe('user management by admins', () => {
    const as = (session: Session, path: string, init: RequestInit = {}) =>
      platform.api(`/api/v1/admin/users${path}`, { ...init, headers: { ...json, authorization: `Bearer ${session.accessToken}` } });
    const signIn = async (email: string) => (await (await post('login', { email, password: strongPassword })).json()) as Session;

    it('lets an admin list users and change roles, and refuses members with 403', async () => {
      const ada = await signIn('ada@example.com');
      const bob = await signIn('bob@example.com');
      const listed = (await (await as(ada, '?limit=2')).json()) as Session['user'][];
      expect(listed.map((user) => user.email)).toEqual(['Ada@example.com', 'bob@example.com']);
      const next = (await (await as(ada, `?limit=2&after=${listed[1].id}`)).json()) as Session['user'][];
      expect(next[0].email).toBe('carol@example.com');

      expect((await as(bob, '')).status).toBe(403);
      expect((await platform.api('/api/v1/admin/users')).status).toBe(401);

      const promoted = await as(ada, `/${bob.user.id}`, { method: 'PATCH', body: JSON.stringify({ role: 'admin' }) });
      expect(((await promoted.json()) as Session['user']).role).toBe('admin');
      const demoted = await as(ada, `/${bob.user.id}`, { method: 'PATCH', body: JSON.stringify({ role: 'member' }) });
      expect(((await demoted.json()) as Session['user']).role).toBe('member');
      expect(await platform.database.query(`SELECT action, details FROM audit_log WHERE action = 'user.role_changed' ORDER BY id`)).toEqual([
        { action: 'user.role_changed', details: { from: 'member', to: 'admin' } },
        { action: 'user.role_changed', details: { from: 'admin', to: 'member' } },
      ]);
    });

    it('keeps one active admin, and a disabled user is signed out', async () => {
      const ada = await signIn('ada@example.com');
      const lastAdmin = await as(ada, `/${ada.user.id}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) });
      expect(lastAdmin.status).toBe(409);
      expect(((await lastAdmin.json()) as { detail: string }).detail).toMatch(/last active admin/);

      const bobLogin = await post('login', { email: 'bob@example.com', password: strongPassword });
      const bobCookie = refreshCookieOf(bobLogin);
      const bob = (await bobLogin.json()) as Session;
      expect((await as(ada, `/${bob.user.id}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) })).status).toBe(200);
      expect((await post('refresh', undefined, { cookie: bobCookie })).status).toBe(401);
      expect((await post('login', { email: 'bob@example.com', password: strongPassword })).status).toBe(403);
      expect((await as(ada, `/${bob.user.id}`, { method: 'PATCH', body: JSON.stringify({ disabled: false }) })).status).toBe(200);
      expect((await post('login', { email: 'bob@example.com', password: strongPassword })).status).toBe(200);
    });

    it('answers bad requests clearly', async () => {
      const ada = await signIn('ada@example.com');
      const cases: [string, RequestInit, number][] = [
        ['/not-a-uuid', { method: 'PATCH', body: JSON.stringify({ role: 'admin' }) }, 404],
        ['/00000000-0000-4000-8000-000000000000', { method: 'PATCH', body: JSON.stringify({ role: 'admin' }) }, 404],
        [`/${ada.user.id}`, { method: 'PATCH', body: JSON.stringify({ role: 'owner' }) }, 400],
        [`/${ada.user.id}`, { method: 'PATCH', body: JSON.stringify({}) }, 400],
        [`/${ada.user.id}`, { method: 'PATCH', body: JSON.stringify({ disabled: 'yes' }) }, 400],
        ['?limit=0', {}, 400],
        ['?after=nope', {}, 400],
      ];
      for (const [path, init, status] of cases) {
        const response = await as(ada, path, init);
        expect({ path, status: response.status }).toEqual({ path, status });
        expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
    });
  });
});

describe("a signed-in user's own name and password (distributed)", () => {
  let platform: DistributedPlatform;

  beforeAll(async () => {
    platform = new DistributedPlatform({ signedIn: false, env: { REGISTRATION: 'open', AUTH_RATE_LIMIT_PER_MINUTE: '1000', AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE: '1000' } });
    await platform.start();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const newPassword = 'another long and unusual passphrase';
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    platform.api(`/api/v1/auth/${path}`, { method: 'POST', headers: { ...json, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const changePassword = (session: Session, body: unknown, cookie?: string) => post('password', body, { ...bearer(session.accessToken), ...(cookie ? { cookie } : {}) });
  const rename = (token: string, body: unknown) => platform.api('/api/v1/auth/me', { method: 'PATCH', headers: { ...json, ...bearer(token) }, body: JSON.stringify(body) });
  const detailOf = async (response: Response) => ((await response.json()) as { detail: string }).detail;

  /** A new account → its session and the refresh cookie of that session. */
  async function register(email: string): Promise<{ session: Session; cookie: string }> {
    const response = await post('register', { email, password: strongPassword, name: 'Someone' });
    expect(response.status).toBe(201);
    return { session: (await response.json()) as Session, cookie: refreshCookieOf(response) };
  }

  /** Another device signing in → its session and cookie. */
  async function signIn(email: string, password = strongPassword): Promise<{ session: Session; cookie: string }> {
    const response = await post('login', { email, password });
    expect(response.status).toBe(200);
    return { session: (await response.json()) as Session, cookie: refreshCookieOf(response) };
  }

  it('renames the caller (trimmed), for a session only, and refuses a bad name', async () => {
    const { session } = await register('dana@example.com');
    const renamed = await rename(session.accessToken, { name: '  Dana Q.  ' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: session.user.id, email: 'dana@example.com', name: 'Dana Q.', role: 'admin' });
    expect(((await (await platform.api('/api/v1/auth/me', { headers: bearer(session.accessToken) })).json()) as Session['user']).name).toBe('Dana Q.');

    const cases: [unknown, RegExp][] = [
      [{ name: '' }, /1 to 100 characters/],
      [{ name: '   ' }, /1 to 100 characters/],
      [{ name: 'x'.repeat(101) }, /1 to 100 characters/],
      [{ name: 42 }, /name must be a string/],
      [{}, /name/],
      [{ name: 'Dana', email: 'other@example.com' }, /email should not exist/],
    ];
    for (const [body, detail] of cases) {
      const response = await rename(session.accessToken, body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await detailOf(response)).toMatch(detail);
    }
    expect(await platform.database.query(`SELECT name FROM users WHERE id = $1`, [session.user.id])).toEqual([{ name: 'Dana Q.' }]);

    const made = await platform.api('/api/v1/api-keys', { method: 'POST', headers: { ...json, ...bearer(session.accessToken) }, body: JSON.stringify({ name: 'script', scopes: ['admin'] }) });
    const { key } = (await made.json()) as { key: string };
    const byKey = await rename(key, { name: 'Renamed by a key' });
    expect(byKey.status).toBe(403);
    expect(await detailOf(byKey)).toMatch(/API keys cannot use this route/);
    expect((await rename('', { name: 'Nobody' })).status).toBe(401);
  });

  it('changes the password: the other sessions are signed out, this one gets a new refresh cookie, and it is audited', async () => {
    const here = await register('erin@example.com');
    const laptop = await signIn('erin@example.com');
    const phone = await signIn('erin@example.com');
    const made = await platform.api('/api/v1/api-keys', { method: 'POST', headers: { ...json, ...bearer(here.session.accessToken) }, body: JSON.stringify({ name: 'kept', scopes: ['chat'] }) });
    const { key } = (await made.json()) as { key: string };

    const changed = await changePassword(here.session, { currentPassword: strongPassword, newPassword }, here.cookie);
    expect(changed.status).toBe(204);
    const fresh = refreshCookieOf(changed);
    expect(fresh).not.toBe(here.cookie);
    expect(changed.headers.getSetCookie().join()).toMatch(/HttpOnly.*Secure|Secure.*HttpOnly/);

    // Every earlier session, this device's old cookie included, is over; the new cookie carries on.
    expect((await post('refresh', undefined, { cookie: laptop.cookie })).status).toBe(401);
    expect((await post('refresh', undefined, { cookie: phone.cookie })).status).toBe(401);
    expect((await post('refresh', undefined, { cookie: here.cookie })).status).toBe(401);
    const carriedOn = await post('refresh', undefined, { cookie: fresh });
    expect(carriedOn.status).toBe(200);
    expect(((await carriedOn.json()) as Session).user.email).toBe('erin@example.com');

    expect((await post('login', { email: 'erin@example.com', password: strongPassword })).status).toBe(401);
    expect((await post('login', { email: 'erin@example.com', password: newPassword })).status).toBe(200);
    // API keys are credentials of their own: they keep working.
    expect((await platform.api('/api/v1/auth/me', { headers: bearer(key) })).status).toBe(200);
    expect(await platform.database.query(`SELECT action, target, details FROM audit_log WHERE actor_id = $1 AND action LIKE 'user.password%'`, [here.session.user.id])).toEqual([
      { action: 'user.password_changed', target: `user:${here.session.user.id}`, details: { revokedSessions: 3 } },
    ]);
  });

  it('refuses a wrong current password with 403 in clear words, and changes nothing', async () => {
    const here = await register('frank@example.com');
    const elsewhere = await signIn('frank@example.com');
    const refused = await changePassword(here.session, { currentPassword: 'not my password at all', newPassword }, here.cookie);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/current password is not right/) });
    expect(refused.headers.getSetCookie()).toEqual([]);

    expect((await post('refresh', undefined, { cookie: elsewhere.cookie })).status).toBe(200);
    expect((await post('login', { email: 'frank@example.com', password: newPassword })).status).toBe(401);
    expect((await post('login', { email: 'frank@example.com', password: strongPassword })).status).toBe(200);
    expect(await platform.database.query(`SELECT action FROM audit_log WHERE actor_id = $1 AND action LIKE 'user.password%'`, [here.session.user.id])).toEqual([
      { action: 'user.password_change_failed' },
    ]);
  });

  it('counts wrong current passwords towards the sign-in lockout', async () => {
    const { session } = await register('grace@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await changePassword(session, { currentPassword: `wrong guess number ${i}`, newPassword })).status);
    expect(statuses).toEqual([403, 403, 403, 403, 429]);
    const lockedOut = await changePassword(session, { currentPassword: strongPassword, newPassword });
    expect(lockedOut.status).toBe(429);
    expect(Number(lockedOut.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await post('login', { email: 'grace@example.com', password: strongPassword })).status).toBe(429);
  });

  it('holds the new password to the rules of registration, and refuses bad bodies and callers', async () => {
    const { session, cookie } = await register('heidi.long@example.com');
    const cases: [unknown, RegExp][] = [
      [{ currentPassword: strongPassword, newPassword: 'short' }, /at least 12 characters/],
      [{ currentPassword: strongPassword, newPassword: 'password1234' }, /too common/],
      [{ currentPassword: strongPassword, newPassword: 'aaaaaaaaaaaaaaa' }, /too common or too simple/],
      [{ currentPassword: strongPassword, newPassword: 'my name is heidi.long, see' }, /must not contain the email/],
      [{ currentPassword: strongPassword, newPassword: 'x'.repeat(257) }, /newPassword must be shorter than or equal to 256 characters/],
      [{ currentPassword: strongPassword }, /newPassword must be a string/],
      [{ newPassword }, /currentPassword/],
      [{ currentPassword: '', newPassword }, /currentPassword must be the password you sign in with now/],
      [{ currentPassword: strongPassword, newPassword: 12345678901234 }, /newPassword must be a string/],
      [{ currentPassword: strongPassword, newPassword, email: 'other@example.com' }, /email should not exist/],
    ];
    for (const [body, detail] of cases) {
      const response = await changePassword(session, body, cookie);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await detailOf(response)).toMatch(detail);
    }
    // Nothing was changed, and the session was not touched.
    expect((await post('refresh', undefined, { cookie })).status).toBe(200);
    expect((await post('login', { email: 'heidi.long@example.com', password: strongPassword })).status).toBe(200);

    const made = await platform.api('/api/v1/api-keys', { method: 'POST', headers: { ...json, ...bearer(session.accessToken) }, body: JSON.stringify({ name: 'script', scopes: ['chat'] }) });
    const { key } = (await made.json()) as { key: string };
    expect((await post('password', { currentPassword: strongPassword, newPassword }, bearer(key))).status).toBe(403);
    expect((await post('password', { currentPassword: strongPassword, newPassword })).status).toBe(401);
    expect((await post('login', { email: 'heidi.long@example.com', password: strongPassword })).status).toBe(200);
  });
});

describe('rate limits on the sign-in routes (distributed, counted in Redis)', () => {
  let platform: DistributedPlatform;

  beforeAll(async () => {
    platform = new DistributedPlatform({ signedIn: false, env: { REGISTRATION: 'open', AUTH_RATE_LIMIT_PER_MINUTE: '6', AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE: '3' } });
    await platform.start();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const login = (email: string) => platform.api('/api/v1/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'not the right one, surely' }) });

  it('limits one email, then one address, with 429 problem+json and Retry-After', async () => {
    const forOneEmail = [];
    for (let i = 0; i < 4; i++) forOneEmail.push((await login('target@example.com')).status);
    expect(forOneEmail).toEqual([401, 401, 401, 429]);

    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6 && !limited; i++) {
      const response = await login(`someone-${i}@example.com`);
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(limited).toBeDefined();
    expect(statuses.length).toBeLessThanOrEqual(3);
    expect(limited!.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited!.json()) as { detail: string; code: string })).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/wait a minute/) });
  });
});

describe('rate limits on a password change (distributed)', () => {
  let platform: DistributedPlatform;

  beforeAll(async () => {
    // The admin's registration names its email, which is another account's count than the admin's own password checks.
    platform = new DistributedPlatform({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '1000', AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE: '3' } });
    await platform.start();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('limits the checks of one account\'s current password, as sign-ins are limited per email', async () => {
    const attempt = () => platform.api('/api/v1/auth/password', { method: 'POST', body: JSON.stringify({ currentPassword: 'a wrong guess, surely', newPassword: strongPassword }) });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([403, 403, 403, 429]);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/wait a minute/) });
  });
});
