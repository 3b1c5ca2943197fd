import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { AppError, ErrorCode } from '@dataflow/shared';

export interface AuthRateLimits {
  /** Requests per minute from one address to the sign-in routes. */
  perIp: number;
  /** Requests per minute naming one email (login, register), or checking one signed-in account's password (a password change). */
  perAccount: number;
}

/** The account a request's attempts count against: the email it names, or the signed-in caller whose current password it checks. */
const accountOf = (context: ExecutionContext): string | undefined => {
  const request = context.switchToHttp().getRequest<{ body?: { email?: unknown; currentPassword?: unknown }; user?: { userId?: unknown } }>();
  const { email, currentPassword } = request.body ?? {};
  if (typeof email === 'string' && email.trim()) return email.trim().toLowerCase();
  // The access guard, which runs first, has set the caller.
  return currentPassword !== undefined && typeof request.user?.userId === 'string' ? `user:${request.user.userId}` : undefined;
};

/** Two limits on the sign-in routes, shared by all of them: per client address, and per account (the email named, or the signed-in caller changing their password). */
export function authThrottling(limits: AuthRateLimits, storage?: ThrottlerStorage): ThrottlerModuleOptions {
  return {
    throttlers: [
      { name: 'ip', ttl: 60_000, limit: limits.perIp },
      { name: 'account', ttl: 60_000, limit: limits.perAccount, skipIf: (context) => accountOf(context) === undefined, getTracker: (_request, context) => accountOf(context) ?? '' },
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
