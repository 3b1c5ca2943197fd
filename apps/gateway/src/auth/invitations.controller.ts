import { randomBytes } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { AppError, ErrorCode, type InvitationDto, type Role, roles } from '@dataflow/shared';
import { AdminOnly, CurrentCaller } from './access.guard.js';
import { AccountsClient } from './accounts.client.js';
import type { Caller } from './jwt.strategy.js';
import { hashToken } from './tokens.service.js';

export class CreateInvitationBody {
  /** Only this email may use it; any email when left out. */
  @IsOptional()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @IsOptional()
  @IsIn(roles, { message: `role must be one of ${roles.join(', ')}` })
  role?: Role;

  /** 1 to 30 days; 7 when left out. */
  @IsOptional()
  @Max(30)
  @Min(1)
  @IsInt({ message: 'expiresInDays must be a whole number from 1 to 30' })
  @Type(() => Number)
  expiresInDays?: number;
}

export interface CreatedInvitation {
  /** Shown this once: the invitee registers with it (`invitation` in the register body). */
  token: string;
  invitation: InvitationDto;
}

/** Invitations to register while REGISTRATION=invite: made, listed and revoked by admins. Audited. */
@Controller('api/v1/admin/invitations')
@AdminOnly()
export class InvitationsController {
  constructor(private readonly accounts: AccountsClient) {}

  @Post()
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateInvitationBody): Promise<CreatedInvitation> {
    const token = randomBytes(32).toString('base64url');
    const invitation = await this.accounts.createInvitation({
      createdBy: caller.userId,
      email: body.email,
      role: body.role ?? 'member',
      expiresInDays: body.expiresInDays ?? 7,
      tokenHash: hashToken(token),
    });
    return { token, invitation };
  }

  @Get()
  list(): Promise<InvitationDto[]> {
    return this.accounts.listInvitations();
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @CurrentCaller() caller: Caller,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such unused invitation') })) id: string,
  ): Promise<void> {
    await this.accounts.revokeInvitation({ id, actorId: caller.userId });
  }
}
