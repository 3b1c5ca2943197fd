import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { AppError, ErrorCode } from '@dataflow/shared';

export interface AuthRateLimits {
  /** Requests per minute from one address to the sign-in routes. */
  perIp: number;
  /** Requests per minute naming one email (login, register). */
  perAccount: number;
}

const emailOf = (context: ExecutionContext): string | undefined => {
  const email = (context.switchToHttp().getRequest<{ body?: { email?: unknown } }>().body ?? {}).email;
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : undefined;
};

/** Two limits on the sign-in routes, shared by all of them: per client address, and per email named. */
export function authThrottling(limits: AuthRateLimits, storage?: ThrottlerStorage): ThrottlerModuleOptions {
  return {
    throttlers: [
      { name: 'ip', ttl: 60_000, limit: limits.perIp },
      { name: 'account', ttl: 60_000, limit: limits.perAccount, skipIf: (context) => emailOf(context) === undefined, getTracker: (_request, context) => emailOf(context) ?? '' },
    ],
    // One bucket per tracker for every auth route, not one per route.
    generateKey: (_context, tracker, throttler) => `${throttler}:${tracker}`,
    storage,
  };
}

/**
 * The throttler guard, answering in this API's terms: a `rate_limited` problem with the standard
 * `Retry-After` (the stock guard names its header after the throttler, `Retry-After-ip`).
 */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    throw new AppError(ErrorCode.RateLimited, 'Too many attempts on the sign-in routes; wait a minute and try again', { retryAfterSeconds: seconds });
  }
}
