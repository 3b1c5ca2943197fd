import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccountsContract, CreateInvitationRequest, type InvitationDto, InvitationRef } from '@dataflow/shared';
import { AccountsRepository } from './accounts.repository.js';
import { InvitationsRepository } from './invitations.repository.js';

@Controller()
export class InvitationsHandler {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly accounts: AccountsRepository,
  ) {}

  @MessagePattern(AccountsContract.createInvitation.pattern)
  async create(@Payload() request: CreateInvitationRequest): Promise<InvitationDto> {
    const invitation = await this.invitations.create(request);
    await this.accounts.audit('invitation.created', request.createdBy, `invitation:${invitation.id}`, undefined);
    return invitation;
  }

  @MessagePattern(AccountsContract.listInvitations.pattern)
  list(): Promise<InvitationDto[]> {
    return this.invitations.list();
  }

  @MessagePattern(AccountsContract.revokeInvitation.pattern)
  async revoke(@Payload() request: InvitationRef): Promise<{ revoked: true }> {
    await this.invitations.revoke(request.id);
    await this.accounts.audit('invitation.revoked', request.actorId, `invitation:${request.id}`, undefined);
    return { revoked: true };
  }
}
