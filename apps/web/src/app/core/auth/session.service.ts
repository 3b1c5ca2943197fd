import { HttpClient } from '@angular/common/http';
import { Service, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../api-base-url.token';
import { apiUrl } from '../api-url';
import type { Credentials, Registration, Session, SessionResponse, SetupStatus, User } from './session.model';

export const AUTH_PATH = '/api/v1/auth/';

/** The auth routes the session itself calls: never given an access token, never refreshed on a 401. */
export const SESSION_ROUTES: readonly string[] = ['setup', 'register', 'login', 'refresh', 'logout'];

/**
 * The signed-in session: the access token lives in memory only; the refresh token is the
 * gateway's httpOnly cookie, so a reload or a second tab gets a session back with `restore()`.
 */
@Service()
export class SessionService {
  private readonly http = inject(HttpClient);
  private readonly base = inject(API_BASE_URL);
  private readonly current = signal<Session | null>(null);
  private refreshing: Promise<Session | null> | null = null;

  readonly session = this.current.asReadonly();
  readonly user = computed(() => this.current()?.user ?? null);
  readonly signedIn = computed(() => this.current() !== null);

  setup(): Promise<SetupStatus> {
    return firstValueFrom(this.http.get<SetupStatus>(this.url('setup'), { cache: 'no-store' }));
  }

  async signIn(credentials: Credentials): Promise<Session> {
    return this.start(await firstValueFrom(this.http.post<SessionResponse>(this.url('login'), credentials)));
  }

  async register(registration: Registration): Promise<Session> {
    return this.start(await firstValueFrom(this.http.post<SessionResponse>(this.url('register'), registration)));
  }

  /**
   * Swaps the refresh cookie for a new session; null (and signed out) when it is gone or was
   * revoked. Calls at the same time share one request: the gateway takes a refresh token once.
   */
  refresh(): Promise<Session | null> {
    this.refreshing ??= firstValueFrom(this.http.post<SessionResponse>(this.url('refresh'), null))
      .then((response) => this.start(response))
      .catch(() => {
        this.current.set(null);
        return null;
      })
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** The session there is, or one from the refresh cookie (after a reload). */
  async restore(): Promise<Session | null> {
    return this.current() ?? this.refresh();
  }

  /** The account as the gateway now gives it (after a change of name), in the same session. */
  replaceUser(user: User): void {
    this.current.update((session) => (session && session.user.id === user.id ? { ...session, user } : session));
  }

  async signOut(): Promise<void> {
    this.current.set(null);
    await firstValueFrom(this.http.post<void>(this.url('logout'), null)).catch(() => undefined);
  }

  private start(response: SessionResponse): Session {
    const session: Session = { accessToken: response.accessToken, expiresAt: Date.now() + response.expiresIn * 1000, user: response.user };
    this.current.set(session);
    return session;
  }

  private url(route: string): string {
    return apiUrl(this.base, `${AUTH_PATH}${route}`);
  }
}
