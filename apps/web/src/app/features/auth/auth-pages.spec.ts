import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { RegisterPage } from './register.page';
import { SetupPage } from './setup.page';
import { safeReturnUrl, SignInPage } from './sign-in.page';

const ana = { id: 'u1', email: 'ana@example.com', name: 'Ana', role: 'admin' as const };

describe('the first-run setup and sign-in pages', () => {
  let http: HttpTestingController;
  let navigate: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: API_BASE_URL, useValue: '' }] });
    http = TestBed.inject(HttpTestingController);
    const router = TestBed.inject(Router);
    navigate = vi.fn().mockResolvedValue(true);
    router.navigate = navigate as unknown as Router['navigate'];
    router.navigateByUrl = navigate as unknown as Router['navigateByUrl'];
  });

  afterEach(() => http.verify());

  const type = (root: HTMLElement, id: string, value: string) => {
    const input = root.querySelector<HTMLInputElement>(`#${id}`)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };

  it('creates the admin account, then shows the welcome; what is wrong with the form is said, not sent', async () => {
    const fixture = TestBed.createComponent(SetupPage);
    const root = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    await fixture.whenStable();
    expect(root.querySelector('[role=alert]')?.textContent).toContain('Enter your name.');

    type(root, 'setup-name', 'Ana');
    type(root, 'setup-email', ana.email);
    type(root, 'setup-password', 'short');
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    await fixture.whenStable();
    expect(root.querySelector('[role=alert]')?.textContent).toContain('at least 12 characters');

    type(root, 'setup-password', 'a long passphrase');
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    const register = http.expectOne('/api/v1/auth/register');
    expect(register.request.body).toEqual({ name: 'Ana', email: ana.email, password: 'a long passphrase' });
    register.flush({ accessToken: 't', expiresIn: 900, user: ana });
    await fixture.whenStable();
    expect(navigate).toHaveBeenCalledWith(['/'], { queryParams: { welcome: 1 } });
  });

  it("shows the gateway's words when the account cannot be made", async () => {
    const fixture = TestBed.createComponent(SetupPage);
    const root = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    type(root, 'setup-name', 'Ana');
    type(root, 'setup-email', ana.email);
    type(root, 'setup-password', 'password1234');
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    http.expectOne('/api/v1/auth/register').flush({ detail: 'This password is too common: choose another' }, { status: 422, statusText: 'Unprocessable Entity' });
    await fixture.whenStable();
    expect(root.querySelector('[role=alert]')?.textContent).toContain('This password is too common');
  });

  it('sends an empty instance to the setup, and offers registration only where it is open', async () => {
    const empty = TestBed.createComponent(SignInPage);
    http.expectOne('/api/v1/auth/setup').flush({ firstRun: true, registration: 'invite' });
    await empty.whenStable();
    expect(navigate).toHaveBeenCalledWith(['/setup']);

    const closed = TestBed.createComponent(SignInPage);
    http.expectOne('/api/v1/auth/setup').flush({ firstRun: false, registration: 'closed' });
    await closed.whenStable();
    expect((closed.nativeElement as HTMLElement).textContent).not.toContain('Create one');

    const open = TestBed.createComponent(SignInPage);
    http.expectOne('/api/v1/auth/setup').flush({ firstRun: false, registration: 'open' });
    await open.whenStable();
    expect((open.nativeElement as HTMLElement).textContent).toContain('Create one');
  });

  it('registers with the invitation from the link, and sends none when there is none', async () => {
    const fixture = TestBed.createComponent(RegisterPage);
    fixture.componentRef.setInput('invitation', 'inv-token');
    await fixture.whenStable();
    const root = fixture.nativeElement as HTMLElement;
    expect(root.querySelector<HTMLInputElement>('#register-invitation')!.value).toBe('inv-token');
    type(root, 'register-name', 'Bo');
    type(root, 'register-email', 'bo@example.com');
    type(root, 'register-password', 'a long passphrase');
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    const withInvitation = http.expectOne('/api/v1/auth/register');
    expect(withInvitation.request.body).toEqual({ name: 'Bo', email: 'bo@example.com', password: 'a long passphrase', invitation: 'inv-token' });
    withInvitation.flush({ detail: 'This invitation is not valid: it was used' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();
    expect(root.querySelector('[role=alert]')?.textContent).toContain('This invitation is not valid');

    type(root, 'register-invitation', '');
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    const without = http.expectOne('/api/v1/auth/register');
    expect(without.request.body).toEqual({ name: 'Bo', email: 'bo@example.com', password: 'a long passphrase' });
    without.flush({ accessToken: 't', expiresIn: 900, user: { ...ana, name: 'Bo', role: 'member' } });
    await fixture.whenStable();
    expect(navigate).toHaveBeenCalledWith(['/']);
  });

  it('goes back where the person was after signing in, and never off the app', async () => {
    const fixture = TestBed.createComponent(SignInPage);
    fixture.componentRef.setInput('returnUrl', '/status');
    http.expectOne('/api/v1/auth/setup').flush({ firstRun: false, registration: 'closed' });
    await fixture.whenStable();
    const root = fixture.nativeElement as HTMLElement;
    expect(root.querySelector('[role=status]')?.textContent).toContain('Your session ended');
    type(root, 'sign-in-email', ana.email);
    type(root, 'sign-in-password', 'a long passphrase');
    root.querySelector('form')!.dispatchEvent(new Event('submit'));
    http.expectOne('/api/v1/auth/login').flush({ accessToken: 't', expiresIn: 900, user: ana });
    await fixture.whenStable();
    expect(navigate).toHaveBeenCalledWith('/status');
    expect([safeReturnUrl('//evil.example'), safeReturnUrl('https://evil.example'), safeReturnUrl(undefined), safeReturnUrl('/sign-in')]).toEqual(['/', '/', '/', '/']);
  });
});
