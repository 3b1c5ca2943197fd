import { applyDecorators, createParamDecorator, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { Request } from 'express';
import { type ApiKeyScope, AppError, ErrorCode } from '@dataflow/shared';
import type { Caller } from './jwt.strategy.js';

/**
 * Who may call a route. Every route declares one; a route that does not is `session`, so a new
 * route is closed to anonymous callers and to API keys until someone decides otherwise.
 * - `public`: anyone (health, sign-in, the docs);
 * - `session`: a signed-in user (an access token), never an API key;
 * - `caller`: a signed-in user or any API key (who am I);
 * - `scope`: a signed-in user, or an API key that holds the scope;
 * - `admin`: an admin, or an admin's API key with the `admin` scope.
 */
export type Access = { kind: 'public' } | { kind: 'session' } | { kind: 'caller' } | { kind: 'scope'; scope: ApiKeyScope } | { kind: 'admin' };

const accessKey = 'dataflow:access';
const declare = (access: Access) => SetMetadata(accessKey, access);

export const Public = () => declare({ kind: 'public' });
export const SessionOnly = () => applyDecorators(declare({ kind: 'session' }), ApiBearerAuth('access-token'));
export const AnyCaller = () => applyDecorators(declare({ kind: 'caller' }), ApiBearerAuth('access-token'), ApiSecurity('api-key'));
export const RequiresScope = (scope: ApiKeyScope) => applyDecorators(declare({ kind: 'scope', scope }), ApiBearerAuth('access-token'), ApiSecurity('api-key', [scope]));
export const AdminOnly = () => applyDecorators(declare({ kind: 'admin' }), ApiBearerAuth('access-token'), ApiSecurity('api-key', ['admin']));

/** A route's declared access, as the guard reads it (the handler's overrides the controller's). */
function accessOf(reflector: Reflector, context: ExecutionContext): Access {
  return reflector.getAllAndOverride<Access | undefined>(accessKey, [context.getHandler(), context.getClass()]) ?? { kind: 'session' };
}

/** Passport's `info` (one per strategy tried) says whether a token was refused for being out of date. */
function expired(info: unknown): boolean {
  return (Array.isArray(info) ? info : [info]).some((entry) => (entry as { name?: string } | undefined)?.name === 'TokenExpiredError');
}

/** What a caller that is refused a route is told: the first rule it breaks. */
export function accessProblem(access: Access, caller: Caller): AppError | undefined {
  const forbidden = (detail: string) => new AppError(ErrorCode.Forbidden, detail);
  const isKey = caller.scopes !== undefined;
  switch (access.kind) {
    case 'public':
    case 'caller':
      return undefined;
    case 'session':
      return isKey ? forbidden('API keys cannot use this route; sign in instead') : undefined;
    case 'scope':
      return isKey && !caller.scopes!.includes(access.scope) ? forbidden(`This API key lacks the ${access.scope} scope`) : undefined;
    case 'admin':
      if (caller.role !== 'admin') return forbidden('Only an admin can do this');
      return isKey && !caller.scopes!.includes('admin') ? forbidden('This API key lacks the admin scope') : undefined;
  }
}

/**
 * The one guard, on every route: it authenticates the bearer (an access token, or an API key
 * `dfc_…`) with passport, then applies the route's declared access. No credentials, or bad
 * ones, is a 401 that says what to do; credentials without the right is a 403.
 */
@Injectable()
export class AccessGuard extends AuthGuard(['api-key', 'jwt']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = accessOf(this.reflector, context);
    if (access.kind === 'public') return true;
    await super.canActivate(context);
    const problem = accessProblem(access, context.switchToHttp().getRequest<Request & { user: Caller }>().user);
    if (problem) throw problem;
    return true;
  }

  override handleRequest<T = Caller>(error: unknown, caller: T | false, info: unknown): T {
    if (error instanceof AppError) throw error;
    if (error || !caller) {
      throw new AppError(
        ErrorCode.Unauthorized,
        expired(info) ? 'The access token has expired; get a new one from POST /api/v1/auth/refresh' : 'Sign in first: send Authorization: Bearer <access token or API key>',
      );
    }
    return caller;
  }
}

/** The caller the guard let through. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => context.switchToHttp().getRequest<Request & { user: Caller }>().user);
