import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ApiKeyScope, AppError, ErrorCode } from '@dataflow/shared';
import type { Caller } from './jwt.strategy.js';

const scopeKey = 'dataflow:scope';

/** The scope an API key needs for this route; a session (a signed-in user) needs none. */
export const RequiresScope = (scope: ApiKeyScope) => SetMetadata(scopeKey, scope);

/** After CallerGuard: an API key without the route's scope is refused with 403. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(scopeKey, [context.getHandler(), context.getClass()]);
    const caller = context.switchToHttp().getRequest<{ user?: Caller }>().user;
    if (scope && caller?.scopes && !caller.scopes.includes(scope)) throw new AppError(ErrorCode.Forbidden, `This API key lacks the ${scope} scope`);
    return true;
  }
}
