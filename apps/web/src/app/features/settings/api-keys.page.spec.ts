import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { SessionService } from '../../core/auth/session.service';
import type { ApiKey } from './api-keys.model';
import { ApiKeysPage } from './api-keys.page';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';

const old: ApiKey = { id: 'k1', name: 'nightly export', prefix: 'dfc_abcdefgh', scopes: ['files'], createdAt: '2026-12-01T00:00:00Z', expiresAt: null, lastUsedAt: null, revokedAt: null };

describe('the API keys page', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened(role: 'admin' | 'member') {
    const session = TestBed.inject(SessionService);
    const signingIn = session.signIn({ email: 'a@example.com', password: 'x' });
    http.expectOne('/api/v1/auth/login').flush({ accessToken: 't', expiresIn: 900, user: { id: 'u', email: 'a@example.com', name: 'A', role } });
    await signingIn;
    const fixture = TestBed.createComponent(ApiKeysPage);
    http.expectOne('/api/v1/api-keys').flush([old]);
    await settled(fixture);
    return { fixture, root: fixture.nativeElement as HTMLElement };
  }

  it('creates a key with the scopes chosen, shows it once, and lists it first', async () => {
    const { fixture, root } = await opened('member');
    // A member is not offered the admin scope.
    expect(root.textContent).not.toContain('administer users');
    const name = root.querySelector<HTMLInputElement>('#key-name')!;
    name.value = 'reporting';
    name.dispatchEvent(new Event('input'));
    const files = [...root.querySelectorAll<HTMLLabelElement>('label.check')].find((label) => label.textContent!.includes('files'))!.querySelector('input')!;
    files.click();
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    const create = http.expectOne('/api/v1/api-keys');
    expect(create.request.body).toEqual({ name: 'reporting', scopes: ['conversations:read', 'chat', 'files'] });
    create.flush({ key: 'dfc_secret_whole_key', apiKey: { ...old, id: 'k2', name: 'reporting', prefix: 'dfc_secretwh', scopes: ['conversations:read', 'chat', 'files'] } });
    await settled(fixture);
    expect(root.querySelector('[data-testid=key-value]')!.textContent).toBe('dfc_secret_whole_key');
    expect([...root.querySelectorAll('[data-testid=api-key]')].map((item) => item.getAttribute('data-name'))).toEqual(['reporting', 'nightly export']);
  });

  it('says what is missing instead of sending, and revokes a key', async () => {
    const { fixture, root } = await opened('admin');
    expect(root.textContent).toContain('administer users');
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    await fixture.whenStable();
    expect(root.querySelector('[role=alert]')!.textContent).toContain('Name the key');

    root.querySelector<HTMLButtonElement>('[aria-label="Revoke nightly export"]')!.click();
    const revoke = http.expectOne('/api/v1/api-keys/k1');
    expect(revoke.request.method).toBe('DELETE');
    revoke.flush(null, { status: 204, statusText: 'No Content' });
    await settled(fixture);
    expect(root.querySelector('[data-testid=api-key]')!.textContent).toContain('Revoked');
  });
});
