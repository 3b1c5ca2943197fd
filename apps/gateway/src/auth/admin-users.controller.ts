import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { AppError, ErrorCode, ListUsersRequest, type Role, roles, type UserDto } from '@dataflow/shared';
import { AccountsClient } from './accounts.client.js';
import { AdminOnly, CurrentCaller } from './access.guard.js';
import type { Caller } from './jwt.strategy.js';

export class UpdateUserBody {
  @IsOptional()
  @IsIn(roles, { message: `role must be one of ${roles.join(', ')}` })
  role?: Role;

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

/** Admins manage users: list them, change their role, disable or enable them. Every change is audited. */
@Controller('api/v1/admin/users')
@AdminOnly()
export class AdminUsersController {
  constructor(private readonly accounts: AccountsClient) {}

  @Get()
  list(@Query() query: ListUsersRequest): Promise<UserDto[]> {
    return this.accounts.listUsers(query.limit ?? 50, query.after);
  }

  @Patch(':id')
  update(
    @CurrentCaller() caller: Caller,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such user') })) id: string,
    @Body() body: UpdateUserBody,
  ): Promise<UserDto> {
    if (body.role === undefined && body.disabled === undefined) throw new AppError(ErrorCode.ValidationFailed, 'Give role, disabled, or both');
    return this.accounts.updateUser({ actorId: caller.userId, id, role: body.role, disabled: body.disabled });
  }
}
