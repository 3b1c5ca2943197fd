import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AccountsContract,
  AuditRequest,
  ChangePasswordRequest,
  type Credentials,
  CreateUserRequest,
  FindCredentialsRequest,
  GetUserRequest,
  IssueRefreshTokenRequest,
  ListUsersRequest,
  UpdateProfileRequest,
  UpdateUserRequest,
  type LoginRecord,
  RecordLoginRequest,
  RevokeRefreshTokenRequest,
  RotateRefreshTokenRequest,
  type RotationOutcome,
  type UserDto,
} from '@dataflow/shared';
import { AccountsRepository } from './accounts.repository.js';

@Controller()
export class AccountsHandler {
  private readonly logger = new Logger('Accounts');

  constructor(private readonly accounts: AccountsRepository) {}

  @MessagePattern(AccountsContract.createUser.pattern)
  async createUser(@Payload() request: CreateUserRequest): Promise<UserDto> {
    const user = await this.accounts.createUser(request.email, request.name, request.passwordHash, request.othersMayRegister, request.invitationHash);
    this.logger.log({ userId: user.id, role: user.role }, 'account created');
    return user;
  }

  @MessagePattern(AccountsContract.findCredentials.pattern)
  findCredentials(@Payload() request: FindCredentialsRequest): Promise<Credentials | null> {
    return this.accounts.findCredentials(request.email);
  }

  @MessagePattern(AccountsContract.getUser.pattern)
  getUser(@Payload() request: GetUserRequest): Promise<UserDto> {
    return this.accounts.getUser(request.id);
  }

  @MessagePattern(AccountsContract.issueRefreshToken.pattern)
  issueRefreshToken(@Payload() request: IssueRefreshTokenRequest): Promise<{ familyId: string }> {
    return this.accounts.issueRefreshToken(request.userId, request.tokenHash, new Date(request.expiresAt));
  }

  @MessagePattern(AccountsContract.rotateRefreshToken.pattern)
  async rotateRefreshToken(@Payload() request: RotateRefreshTokenRequest): Promise<RotationOutcome> {
    const outcome = await this.accounts.rotateRefreshToken(request.tokenHash, request.nextTokenHash, new Date(request.nextExpiresAt));
    if (outcome.outcome === 'reused') this.logger.warn('a refresh token was used twice: its whole family is revoked');
    return outcome;
  }

  @MessagePattern(AccountsContract.revokeRefreshToken.pattern)
  revokeRefreshToken(@Payload() request: RevokeRefreshTokenRequest): Promise<{ revoked: boolean }> {
    return this.accounts.revokeRefreshToken(request.tokenHash);
  }

  @MessagePattern(AccountsContract.recordLogin.pattern)
  recordLogin(@Payload() request: RecordLoginRequest): Promise<LoginRecord> {
    return this.accounts.recordLogin(request.email, request.succeeded, request.ip, request.check);
  }

  @MessagePattern(AccountsContract.audit.pattern)
  async audit(@Payload() request: AuditRequest): Promise<{ recorded: true }> {
    await this.accounts.audit(request.action, request.actorId, request.target, request.ip);
    return { recorded: true };
  }

  @MessagePattern(AccountsContract.listUsers.pattern)
  listUsers(@Payload() request: ListUsersRequest): Promise<UserDto[]> {
    return this.accounts.listUsers(request.limit ?? 50, request.after);
  }

  @MessagePattern(AccountsContract.updateProfile.pattern)
  updateProfile(@Payload() request: UpdateProfileRequest): Promise<UserDto> {
    return this.accounts.updateProfile(request.userId, request.name);
  }

  @MessagePattern(AccountsContract.changePassword.pattern)
  async changePassword(@Payload() request: ChangePasswordRequest): Promise<{ revokedSessions: number }> {
    const changed = await this.accounts.changePassword(request.userId, request.passwordHash, request.refreshTokenHash, new Date(request.refreshExpiresAt), request.ip);
    this.logger.log({ userId: request.userId, revokedSessions: changed.revokedSessions }, 'password changed: the other sessions are signed out');
    return changed;
  }

  @MessagePattern(AccountsContract.updateUser.pattern)
  async updateUser(@Payload() request: UpdateUserRequest): Promise<UserDto> {
    const user = await this.accounts.updateUser(request.actorId, request.id, { role: request.role, disabled: request.disabled });
    this.logger.log({ userId: user.id, role: user.role, disabled: user.disabled, by: request.actorId }, 'account changed by an admin');
    return user;
  }
}
