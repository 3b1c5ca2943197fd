import { DistributedPlatform } from './distributed-platform.js';

const password = 'a long invitation passphrase';

describe('registration by invitation (REGISTRATION=invite, distributed)', () => {
  let platform: DistributedPlatform;

  beforeAll(async () => {
    platform = new DistributedPlatform({ env: { REGISTRATION: 'invite' } });
    await platform.start();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const invite = async (body: object) => {
    const response = await platform.api('/api/v1/admin/invitations', { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    return (await response.json()) as { token: string; invitation: { id: string; email: string | null; role: string; expiresAt: string } };
  };
  const register = (email: string, invitation?: string) =>
    platform.api('/api/v1/auth/register', { method: 'POST', headers: { authorization: '' }, body: JSON.stringify({ email, password, name: 'Invited', invitation }) });

  it('refuses to register without an invitation, and with one for another email', async () => {
    const refused = await register('walk-in@example.com');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/ask an admin for an invitation/);
    const { token, invitation } = await invite({ email: 'carol@example.com' });
    expect(invitation).toMatchObject({ email: 'carol@example.com', role: 'member' });
    expect(Date.parse(invitation.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect((await register('mallory@example.com', token)).status).toBe(403);
    expect(await platform.database.query(`SELECT count(*)::int AS n FROM users WHERE email IN ('walk-in@example.com', 'mallory@example.com')`)).toEqual([{ n: 0 }]);
  });

  it('lets an invitation be used once, by its email, with its role', async () => {
    const { token, invitation } = await invite({ email: 'dave@example.com', role: 'admin', expiresInDays: 2 });
    const registered = await register('Dave@Example.com', token);
    expect(registered.status).toBe(201);
    const { user } = (await registered.json()) as { user: { id: string; role: string } };
    expect(user.role).toBe('admin');
    expect((await register('dave2@example.com', token)).status).toBe(403);
    const listed = (await (await platform.api('/api/v1/admin/invitations')).json()) as { id: string; usedBy: string | null; usedAt: string | null }[];
    expect(listed.find((i) => i.id === invitation.id)).toMatchObject({ usedBy: user.id, usedAt: expect.any(String) });
    expect((await platform.api(`/api/v1/admin/invitations/${invitation.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses an expired or revoked invitation, and audits what admins do', async () => {
    const expired = await invite({});
    await platform.database.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.invitation.id]);
    expect((await register('erin@example.com', expired.token)).status).toBe(403);

    const revoked = await invite({});
    expect((await platform.api(`/api/v1/admin/invitations/${revoked.invitation.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await register('frank@example.com', revoked.token)).status).toBe(403);
    expect(await platform.database.query(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [`invitation:${revoked.invitation.id}`])).toEqual([
      { action: 'invitation.created' },
      { action: 'invitation.revoked' },
    ]);

    const anyone = await invite({ expiresInDays: 1 });
    expect((await register('grace@example.com', anyone.token)).status).toBe(201);
  });

  it('refuses bad invitation requests', async () => {
    for (const body of [{ email: 'not an email' }, { role: 'owner' }, { expiresInDays: 0 }, { expiresInDays: 31 }, { expiresInDays: 'soon' }, { extra: true }]) {
      const response = await platform.api('/api/v1/admin/invitations', { method: 'POST', body: JSON.stringify(body) });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
    expect((await register('heidi@example.com', 'too-short')).status).toBe(400);
  });
});
