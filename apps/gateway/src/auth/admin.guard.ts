import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@dataflow/shared';
import type { Caller } from './jwt.strategy.js';

/** After CallerGuard: the caller is an admin. Pair it with `RequiresScope('admin')` so that an admin's key needs that scope too. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const caller = context.switchToHttp().getRequest<{ user?: Caller }>().user;
    if (caller?.role !== 'admin') throw new AppError(ErrorCode.Forbidden, 'Only an admin can do this');
    return true;
  }
}
