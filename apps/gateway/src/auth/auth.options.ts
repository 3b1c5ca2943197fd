import type { RegistrationPolicy } from '@dataflow/shared';

export const AUTH_OPTIONS = Symbol('AuthOptions');

export interface AuthOptions {
  secret: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  registration: RegistrationPolicy;
}

/** The refresh token's cookie: httpOnly, Secure, SameSite=Strict, sent only to the auth routes. */
export const refreshCookie = { name: 'dfc_refresh', path: '/api/v1/auth' } as const;
