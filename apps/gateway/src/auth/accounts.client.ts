import { Injectable } from '@nestjs/common';
import {
  AccountsContract,
  type ApiKeyDto,
  type ApiKeyOwner,
  type CreateApiKeyRequest,
  type CreateUserRequest,
  type LoginRecord,
  type RecordLoginRequest,
  type AuditRequest,
  type CreateInvitationRequest,
  type InvitationDto,
  type InvitationRef,
  type UpdateUserRequest,
  type UpdateProfileRequest,
  type ChangePasswordRequest,
  type Credentials,
  InjectServiceClient,
  type RotationOutcome,
  ServiceClient,
  ServiceName,
  type UserDto,
} from '@dataflow/shared';

/** The gateway's typed access to the accounts that the conversations service keeps. */
@Injectable()
export class AccountsClient {
  constructor(@InjectServiceClient(ServiceName.Conversations) private readonly client: ServiceClient) {}

  createUser(request: CreateUserRequest): Promise<UserDto> {
    return this.client.send(AccountsContract.createUser, request);
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.client.send(AccountsContract.findCredentials, { email });
  }

  getUser(id: string): Promise<UserDto> {
    return this.client.send(AccountsContract.getUser, { id });
  }

  issueRefreshToken(userId: string, tokenHash: string, expiresAt: Date): Promise<{ familyId: string }> {
    return this.client.send(AccountsContract.issueRefreshToken, { userId, tokenHash, expiresAt: expiresAt.toISOString() });
  }

  rotateRefreshToken(tokenHash: string, nextTokenHash: string, nextExpiresAt: Date): Promise<RotationOutcome> {
    return this.client.send(AccountsContract.rotateRefreshToken, { tokenHash, nextTokenHash, nextExpiresAt: nextExpiresAt.toISOString() });
  }

  revokeRefreshToken(tokenHash: string): Promise<{ revoked: boolean }> {
    return this.client.send(AccountsContract.revokeRefreshToken, { tokenHash });
  }

  createApiKey(request: CreateApiKeyRequest): Promise<ApiKeyDto> {
    return this.client.send(AccountsContract.createApiKey, request);
  }

  listApiKeys(userId: string): Promise<ApiKeyDto[]> {
    return this.client.send(AccountsContract.listApiKeys, { userId });
  }

  revokeApiKey(userId: string, id: string): Promise<ApiKeyDto> {
    return this.client.send(AccountsContract.revokeApiKey, { userId, id });
  }

  findApiKey(keyHash: string): Promise<ApiKeyOwner> {
    return this.client.send(AccountsContract.findApiKey, { keyHash });
  }

  recordLogin(request: RecordLoginRequest): Promise<LoginRecord> {
    return this.client.send(AccountsContract.recordLogin, request);
  }

  audit(request: AuditRequest): Promise<{ recorded: true }> {
    return this.client.send(AccountsContract.audit, request);
  }

  createInvitation(request: CreateInvitationRequest): Promise<InvitationDto> {
    return this.client.send(AccountsContract.createInvitation, request);
  }

  listInvitations(): Promise<InvitationDto[]> {
    return this.client.send(AccountsContract.listInvitations, {});
  }

  revokeInvitation(request: InvitationRef): Promise<{ revoked: true }> {
    return this.client.send(AccountsContract.revokeInvitation, request);
  }

  listUsers(limit: number, after: string | undefined): Promise<UserDto[]> {
    return this.client.send(AccountsContract.listUsers, { limit, after });
  }

  updateUser(request: UpdateUserRequest): Promise<UserDto> {
    return this.client.send(AccountsContract.updateUser, request);
  }

  updateProfile(request: UpdateProfileRequest): Promise<UserDto> {
    return this.client.send(AccountsContract.updateProfile, request);
  }

  changePassword(request: ChangePasswordRequest): Promise<{ revokedSessions: number }> {
    return this.client.send(AccountsContract.changePassword, request);
  }
}
