import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { HttpClient } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../api-base-url.token';
import { authInterceptor } from './auth.interceptor';
import type { SessionResponse } from './session.model';
import { SessionService } from './session.service';

const ana = { id: 'u1', email: 'ana@example.com', name: 'Ana', role: 'admin' as const };
const answer = (accessToken: string): SessionResponse => ({ accessToken, expiresIn: 900, user: ana });

describe('SessionService and the auth interceptor', () => {
  let http: HttpTestingController;
  let session: SessionService;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting(), provideRouter([]), { provide: API_BASE_URL, useValue: '' }],
    });
    http = TestBed.inject(HttpTestingController);
    session = TestBed.inject(SessionService);
  });

  afterEach(() => http.verify());

  it('signs in, keeps the access token in memory, and signs out', async () => {
    const signingIn = session.signIn({ email: ana.email, password: 'a long passphrase' });
    const login = http.expectOne('/api/v1/auth/login');
    expect(login.request.body).toEqual({ email: ana.email, password: 'a long passphrase' });
    expect(login.request.headers.has('authorization')).toBe(false);
    login.flush(answer('t1'));
    await signingIn;
    expect(session.user()).toEqual(ana);
    expect(session.session()?.accessToken).toBe('t1');

    const signingOut = session.signOut();
    expect(session.signedIn()).toBe(false);
    http.expectOne('/api/v1/auth/logout').flush(null, { status: 204, statusText: 'No Content' });
    await signingOut;
  });

  it('gives API calls the access token, and refreshes once, silently, on a 401', async () => {
    const signingIn = session.signIn({ email: ana.email, password: 'a long passphrase' });
    http.expectOne('/api/v1/auth/login').flush(answer('old'));
    await signingIn;

    const client = TestBed.inject(HttpClient);
    const calls = Promise.all([firstValueFrom(client.get('/api/v1/files')), firstValueFrom(client.get('/api/v1/conversations'))]);
    for (const url of ['/api/v1/files', '/api/v1/conversations']) {
      const first = http.expectOne(url);
      expect(first.request.headers.get('authorization')).toBe('Bearer old');
      first.flush({ detail: 'expired' }, { status: 401, statusText: 'Unauthorized' });
    }
    // Both calls share one refresh: the gateway takes a refresh token once.
    await Promise.resolve();
    http.expectOne('/api/v1/auth/refresh').flush(answer('new'));
    await new Promise((resolve) => setTimeout(resolve));
    for (const url of ['/api/v1/files', '/api/v1/conversations']) {
      const again = http.expectOne(url);
      expect(again.request.headers.get('authorization')).toBe('Bearer new');
      again.flush({ items: [] });
    }
    expect(await calls).toEqual([{ items: [] }, { items: [] }]);
  });

  it("gives the signed-in person's own auth routes the token, never the routes the session itself calls", async () => {
    const signingIn = session.signIn({ email: ana.email, password: 'a long passphrase' });
    http.expectOne('/api/v1/auth/login').flush(answer('t1'));
    await signingIn;
    const client = TestBed.inject(HttpClient);
    void firstValueFrom(client.post('/api/v1/auth/password', {}));
    void firstValueFrom(client.patch('/api/v1/auth/me', {}));
    void firstValueFrom(client.get('/api/v1/auth/setup'));
    expect(http.expectOne('/api/v1/auth/password').request.headers.get('authorization')).toBe('Bearer t1');
    expect(http.expectOne('/api/v1/auth/me').request.headers.get('authorization')).toBe('Bearer t1');
    expect(http.expectOne('/api/v1/auth/setup').request.headers.has('authorization')).toBe(false);
  });

  it('replaces the signed-in user, keeping the session, and only for the same account', async () => {
    const signingIn = session.signIn({ email: ana.email, password: 'a long passphrase' });
    http.expectOne('/api/v1/auth/login').flush(answer('t1'));
    await signingIn;
    session.replaceUser({ ...ana, name: 'Ana María' });
    expect(session.user()?.name).toBe('Ana María');
    expect(session.session()?.accessToken).toBe('t1');
    session.replaceUser({ ...ana, id: 'someone-else', name: 'Mallory' });
    expect(session.user()?.name).toBe('Ana María');
  });

  it('sends the person to sign-in, with the page to come back to, when the session cannot be refreshed', async () => {
    const router = TestBed.inject(Router);
    const navigate = vi.spyOn(router, 'navigate').mockResolvedValue(true);
    const client = TestBed.inject(HttpClient);
    const call = firstValueFrom(client.get('/api/v1/files'));
    http.expectOne('/api/v1/files').flush({ detail: 'no token' }, { status: 401, statusText: 'Unauthorized' });
    await Promise.resolve();
    http.expectOne('/api/v1/auth/refresh').flush({ detail: 'gone' }, { status: 401, statusText: 'Unauthorized' });
    await expect(call).rejects.toMatchObject({ status: 401 });
    expect(navigate).toHaveBeenCalledWith(['/sign-in'], { queryParams: { returnUrl: '/' } });
    expect(session.signedIn()).toBe(false);
  });

  it('restores a session from the refresh cookie after a reload, and says null when there is none', async () => {
    const restoring = session.restore();
    http.expectOne('/api/v1/auth/refresh').flush(answer('from-cookie'));
    expect((await restoring)?.user).toEqual(ana);
    // Signed in already: nothing is asked.
    expect((await session.restore())?.accessToken).toBe('from-cookie');

    const signingOut = session.signOut();
    http.expectOne('/api/v1/auth/logout').flush(null, { status: 204, statusText: 'No Content' });
    await signingOut;
    const none = session.restore();
    http.expectOne('/api/v1/auth/refresh').flush({ detail: 'no cookie' }, { status: 401, statusText: 'Unauthorized' });
    expect(await none).toBeNull();
  });
});
