import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { invitationState, InvitationsSection } from './invitations.section';
import type { Invitation } from './settings.model';

const open: Invitation = {
  id: 'i1',
  email: 'bo@example.com',
  role: 'member',
  createdBy: 'u1',
  createdAt: '2026-12-01T10:00:00Z',
  expiresAt: '2999-12-08T10:00:00Z',
  usedAt: null,
  usedBy: null,
};
const used: Invitation = { ...open, id: 'i2', email: null, usedAt: '2026-12-02T10:00:00Z', usedBy: 'u2' };
const expired: Invitation = { ...open, id: 'i3', email: 'cy@example.com', expiresAt: '2026-12-02T10:00:00Z' };

describe('the registration and invitations section (admins)', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened(registration: 'open' | 'invite' | 'closed', invitations: Invitation[] = [open, used, expired]) {
    const fixture = TestBed.createComponent(InvitationsSection);
    http.expectOne('/api/v1/auth/setup').flush({ firstRun: false, registration });
    http.expectOne('/api/v1/admin/invitations').flush(invitations);
    await settled(fixture);
    return { fixture, root: fixture.nativeElement as HTMLElement };
  }

  it('says who may register, how an admin changes it, and when invitations are not used', async () => {
    const { root } = await opened('invite');
    expect(root.querySelector('[data-testid=registration-policy]')!.textContent).toContain('By invitation');
    expect(root.textContent).toContain('REGISTRATION');
    expect(root.textContent).toContain('restarting the gateway');
    expect(root.querySelector('[data-testid=invitations-unused]')).toBeNull();

    TestBed.resetTestingModule();
    http = httpTestBed();
    const closed = await opened('closed', []);
    expect(closed.root.querySelector('[data-testid=registration-policy]')!.textContent).toContain('Closed: nobody can create an account');
    expect(closed.root.querySelector('[data-testid=invitations-unused]')!.textContent).toContain('REGISTRATION=invite');
    expect(closed.root.textContent).toContain('No invitations yet.');
  });

  it('lists the invitations with where each stands; only unused ones can be revoked', async () => {
    const { root } = await opened('invite');
    expect(invitationState(open)).toBe('open');
    expect(invitationState(used)).toBe('used');
    expect(invitationState(expired)).toBe('expired');
    const items = [...root.querySelectorAll('[data-testid=invitation]')];
    expect(items.map((item) => item.getAttribute('data-id'))).toEqual(['i1', 'i2', 'i3']);
    expect(items[0]!.textContent).toContain('bo@example.com');
    expect(items[1]!.textContent).toContain('Anyone');
    expect(items[1]!.textContent).toContain('used');
    expect(items[1]!.querySelector('button')).toBeNull();
    expect(items[2]!.textContent).toContain('Expired');
    expect(items[2]!.querySelector('button')).not.toBeNull();
  });

  it('makes an invitation and shows its link and token once, first in the list', async () => {
    const { fixture, root } = await opened('invite', [open]);
    const email = root.querySelector<HTMLInputElement>('#invitation-email')!;
    email.value = 'dee@example.com';
    email.dispatchEvent(new Event('input'));
    const role = root.querySelector<HTMLSelectElement>('#invitation-role')!;
    role.value = 'admin';
    role.dispatchEvent(new Event('change'));
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    const create = http.expectOne('/api/v1/admin/invitations');
    expect([create.request.method, create.request.body]).toEqual(['POST', { email: 'dee@example.com', role: 'admin' }]);
    const token = 'A'.repeat(43);
    create.flush({ token, invitation: { ...open, id: 'i9', email: 'dee@example.com', role: 'admin' } });
    await settled(fixture);
    const link = root.querySelector('[data-testid=invitation-link]')!.textContent!;
    expect(link).toMatch(new RegExp(`/register\\?invitation=${token}$`));
    expect(root.querySelector('[data-testid=invitation-token]')!.textContent).toBe(token);
    expect(root.querySelector('[data-testid=invitation]')!.getAttribute('data-id')).toBe('i9');
    expect(email.value).toBe('');

    root.querySelector<HTMLButtonElement>('[data-testid=new-invitation] button:last-child')!.click();
    await settled(fixture);
    expect(root.querySelector('[data-testid=invitation-token]')).toBeNull();
  });

  it('sends no email when it is left empty, refuses one that is not an email, and revokes', async () => {
    const { fixture, root } = await opened('invite', [open]);
    const email = root.querySelector<HTMLInputElement>('#invitation-email')!;
    email.value = 'not an email';
    email.dispatchEvent(new Event('input'));
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    await settled(fixture);
    expect(root.querySelector('#invitation-email-error')!.textContent).toContain('Enter an email address');
    http.expectNone('/api/v1/admin/invitations');

    email.value = '';
    email.dispatchEvent(new Event('input'));
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    const create = http.expectOne('/api/v1/admin/invitations');
    expect(create.request.body).toEqual({ role: 'member' });
    create.flush({ detail: 'Only an admin can do this' }, { status: 403, statusText: 'Forbidden' });
    await settled(fixture);
    expect(root.querySelector('[role=alert]')!.textContent).toContain('The invitation was not made: Only an admin can do this');

    root.querySelector<HTMLButtonElement>('[data-testid=invitation] button')!.click();
    const revoke = http.expectOne('/api/v1/admin/invitations/i1');
    expect(revoke.request.method).toBe('DELETE');
    revoke.flush(null, { status: 204, statusText: 'No Content' });
    await settled(fixture);
    expect(root.querySelector('[data-testid=invitation]')).toBeNull();
  });
});
