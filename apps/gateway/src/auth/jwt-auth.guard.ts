import { createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AppError, ErrorCode } from '@dataflow/shared';
import type { Caller } from './jwt.strategy.js';

/** Passport's `info` (one per strategy tried) says whether a token was refused for being out of date. */
function expired(info: unknown): boolean {
  return (Array.isArray(info) ? info : [info]).some((entry) => (entry as { name?: string } | undefined)?.name === 'TokenExpiredError');
}

function unauthorized(info: unknown, what: string): AppError {
  return new AppError(
    ErrorCode.Unauthorized,
    expired(info) ? 'The access token has expired; get a new one from POST /api/v1/auth/refresh' : `Sign in first: send Authorization: Bearer <${what}>`,
  );
}

/** Requires a signed-in user (an access token); anything else is a 401 problem+json that says what to do. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<T = Caller>(error: unknown, caller: T | false, info: unknown): T {
    if (error || !caller) throw unauthorized(info, 'access token');
    return caller;
  }
}

/** Requires a signed-in user or an API key (`dfc_…`). */
@Injectable()
export class CallerGuard extends AuthGuard(['api-key', 'jwt']) {
  override handleRequest<T = Caller>(error: unknown, caller: T | false, info: unknown): T {
    if (error instanceof AppError) throw error;
    if (error || !caller) throw unauthorized(info, 'access token or API key');
    return caller;
  }
}

/** The caller a guard let through. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => context.switchToHttp().getRequest<Request & { user: Caller }>().user);
