import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { passwordChangeProblems, PasswordSection } from './password.section';

const strong = 'a long and unusual passphrase';

describe('the password section', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened() {
    const fixture = TestBed.createComponent(PasswordSection);
    await settled(fixture);
    const root = fixture.nativeElement as HTMLElement;
    const fill = (values: { current?: string; next?: string; confirm?: string }) => {
      for (const [field, value] of Object.entries(values)) {
        const input = root.querySelector<HTMLInputElement>(`#password-${field}`)!;
        input.value = value;
        input.dispatchEvent(new Event('input'));
      }
    };
    const send = () => root.querySelector('form')!.dispatchEvent(new Event('submit'));
    const besides = (field: string) => root.querySelector(`#password-${field}-error`)?.textContent?.trim() ?? '';
    return { fixture, root, fill, send, besides, settle: () => settled(fixture) };
  }

  it('checks the fields: the current one given, 12 characters or more, the two new ones the same', () => {
    expect(passwordChangeProblems({ current: '', next: 'short', confirm: '' })).toEqual({
      current: 'Enter the password you sign in with now.',
      next: 'The new password needs at least 12 characters.',
      confirm: 'Enter the new password again.',
    });
    expect(passwordChangeProblems({ current: 'old', next: strong, confirm: `${strong}!` })).toEqual({ confirm: 'The two new passwords are not the same.' });
    expect(passwordChangeProblems({ current: 'old', next: 'x'.repeat(257), confirm: 'x'.repeat(257) })).toEqual({ next: 'The new password can have at most 256 characters.' });
    expect(passwordChangeProblems({ current: 'old', next: strong, confirm: strong })).toEqual({});
  });

  it('says beside each field what is wrong, and sends nothing', async () => {
    const { root, fill, send, besides, settle } = await opened();
    fill({ next: 'too short', confirm: 'too shorT' });
    send();
    await settle();
    expect(besides('current')).toBe('Enter the password you sign in with now.');
    expect(besides('next')).toBe('The new password needs at least 12 characters.');
    expect(besides('confirm')).toBe('The two new passwords are not the same.');
    const current = root.querySelector<HTMLInputElement>('#password-current')!;
    expect([current.getAttribute('aria-invalid'), current.getAttribute('aria-describedby')]).toEqual(['true', 'password-current-error']);
    // The first field at fault gets the focus.
    expect(document.activeElement).toBe(current);
    http.expectNone('/api/v1/auth/password');
  });

  it('changes the password, empties the form and says the other sessions are signed out', async () => {
    const { root, fill, send, besides, settle } = await opened();
    fill({ current: 'my old passphrase', next: strong, confirm: strong });
    send();
    const change = http.expectOne('/api/v1/auth/password');
    expect([change.request.method, change.request.body]).toEqual(['POST', { currentPassword: 'my old passphrase', newPassword: strong }]);
    change.flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(root.querySelector('[role=status]')!.textContent).toContain('Your password is changed. Every other session is signed out.');
    expect([...root.querySelectorAll('input')].map((input) => input.value)).toEqual(['', '', '']);
    expect(besides('current')).toBe('');
    expect(root.querySelector('[role=alert]')).toBeNull();
  });

  it("puts the gateway's refusal beside the field it names, in its words, and the rest in an alert", async () => {
    const { root, fill, send, besides, settle } = await opened();
    fill({ current: 'not my password', next: strong, confirm: strong });
    send();
    http
      .expectOne('/api/v1/auth/password')
      .flush(
        { code: 'forbidden', detail: 'The current password is not right; the password was not changed', details: { field: 'currentPassword' } },
        { status: 403, statusText: 'Forbidden' },
      );
    await settle();
    expect(besides('current')).toBe('The current password is not right; the password was not changed');
    expect(besides('next')).toBe('');

    send();
    http
      .expectOne('/api/v1/auth/password')
      .flush({ code: 'validation_failed', detail: 'The password is too common or too simple; choose another', details: { field: 'newPassword' } }, { status: 400, statusText: 'Bad Request' });
    await settle();
    expect(besides('current')).toBe('');
    expect(besides('next')).toBe('The password is too common or too simple; choose another');

    send();
    http.expectOne('/api/v1/auth/password').flush({ code: 'rate_limited', detail: 'Too many attempts on the sign-in routes; wait a minute and try again' }, { status: 429, statusText: 'Too Many Requests' });
    await settle();
    expect(besides('next')).toBe('');
    expect(root.querySelector('[role=alert]')!.textContent).toContain('Your password was not changed: Too many attempts on the sign-in routes');
  });
});
