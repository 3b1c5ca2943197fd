import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { SessionService } from '../../core/auth/session.service';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { type ManagedUser, UsersPage } from './users.page';

const ana: ManagedUser = { id: 'u1', email: 'ana@example.com', name: 'Ana', role: 'admin', disabled: false, createdAt: '2026-12-01T00:00:00Z' };
const bo: ManagedUser = { id: 'u2', email: 'bo@example.com', name: 'Bo', role: 'member', disabled: false, createdAt: '2026-12-02T00:00:00Z' };

describe('the users page (admins)', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened() {
    const session = TestBed.inject(SessionService);
    const signingIn = session.signIn({ email: ana.email, password: 'x' });
    http.expectOne('/api/v1/auth/login').flush({ accessToken: 't', expiresIn: 900, user: ana });
    await signingIn;
    const fixture = TestBed.createComponent(UsersPage);
    http.expectOne('/api/v1/admin/users?limit=50').flush([ana, bo]);
    await settled(fixture);
    return { fixture, root: fixture.nativeElement as HTMLElement };
  }

  it('lists the accounts; the admin cannot demote or disable themself here', async () => {
    const { root } = await opened();
    const [me, other] = [...root.querySelectorAll('[data-testid=user]')];
    expect(me!.textContent).toContain('you');
    expect(me!.querySelector('select')!.disabled).toBe(true);
    expect(me!.querySelector('button')).toBeNull();
    expect(other!.querySelector('select')!.disabled).toBe(false);
  });

  it("disables, enables and changes a role, and says the gateway's words when it refuses", async () => {
    const { fixture, root } = await opened();
    root.querySelector<HTMLButtonElement>('[aria-label="Disable Bo"]')!.click();
    const disable = http.expectOne('/api/v1/admin/users/u2');
    expect([disable.request.method, disable.request.body]).toEqual(['PATCH', { disabled: true }]);
    disable.flush({ ...bo, disabled: true });
    await settled(fixture);
    expect(root.querySelector('[data-email="bo@example.com"]')!.textContent).toContain('Disabled');

    const select = root.querySelector<HTMLSelectElement>('[data-email="bo@example.com"] select')!;
    select.value = 'admin';
    select.dispatchEvent(new Event('change'));
    http.expectOne('/api/v1/admin/users/u2').flush({ detail: 'There must be at least one admin' }, { status: 409, statusText: 'Conflict' });
    await settled(fixture);
    expect(root.querySelector('[role=alert]')!.textContent).toContain('Bo was not changed: There must be at least one admin');
  });
});
