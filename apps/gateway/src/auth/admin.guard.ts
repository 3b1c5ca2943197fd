import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@dataflow/shared';
import type { Caller } from './jwt.strategy.js';

/** After CallerGuard: an admin's session, or an admin's API key with the `admin` scope. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const caller = context.switchToHttp().getRequest<{ user?: Caller }>().user;
    if (caller?.role !== 'admin') throw new AppError(ErrorCode.Forbidden, 'Only an admin can do this');
    if (caller.scopes && !caller.scopes.includes('admin')) throw new AppError(ErrorCode.Forbidden, 'This API key lacks the admin scope');
    return true;
  }
}
