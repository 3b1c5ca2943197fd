import type { RegistrationPolicy } from '@dataflow/shared';
import type { AuthRateLimits } from './throttling.js';

export const AUTH_OPTIONS = Symbol('AuthOptions');

export interface AuthOptions {
  secret: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  registration: RegistrationPolicy;
  rateLimits: AuthRateLimits;
  /** Where the rate limit counters live when there is more than one gateway; in memory without it. */
  redis?: { url: string; keyPrefix: string };
}

/** The refresh token's cookie: httpOnly, Secure, SameSite=Strict, sent only to the auth routes. */
export const refreshCookie = { name: 'dfc_refresh', path: '/api/v1/auth' } as const;
