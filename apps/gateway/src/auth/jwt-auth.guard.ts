import { createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AppError, ErrorCode } from '@dataflow/shared';
import type { Caller } from './jwt.strategy.js';

/** Requires a valid access token; anything else is a 401 problem+json that says what to do. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<T = Caller>(error: unknown, caller: T | false, info: unknown): T {
    if (error || !caller) {
      const expired = (info as { name?: string } | undefined)?.name === 'TokenExpiredError';
      throw new AppError(
        ErrorCode.Unauthorized,
        expired ? 'The access token has expired; get a new one from POST /api/v1/auth/refresh' : 'Sign in first: send Authorization: Bearer <access token>',
      );
    }
    return caller;
  }
}

/** The caller a guard let through. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => context.switchToHttp().getRequest<Request & { user: Caller }>().user);
