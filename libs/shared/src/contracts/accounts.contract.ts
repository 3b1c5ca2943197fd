import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsBoolean, IsEmail, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { type NoArguments, rpc } from './rpc-contract.js';
import { ServiceName } from './service-name.js';

/**
 * Accounts and sessions, kept by the conversations service (it owns the database). The gateway
 * does the cryptography: it hashes passwords and tokens before they cross the wire, so no secret
 * in the clear ever leaves it.
 */

export const roles = ['admin', 'member'] as const;
export type Role = (typeof roles)[number];

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

/** What the gateway needs to check a sign-in. */
export interface Credentials {
  user: UserDto;
  passwordHash: string;
  /** Set while the account is locked after failed sign-ins. */
  lockedUntil: string | null;
}

export class CreateUserRequest {
  @MaxLength(254)
  @IsEmail()
  @IsString()
  email!: string;

  @Length(1, 100)
  @IsString()
  name!: string;

  /** An argon2id hash (PHC string). */
  @MaxLength(512)
  @IsString()
  passwordHash!: string;

  /** Whether an account other than the first may be created (the first is always allowed, and becomes admin). */
  @IsBoolean()
  othersMayRegister!: boolean;

  /** The SHA-256 of an invitation's token: with one that is unused, unexpired and (if it names one) for this email, the account is made with the invitation's role. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/)
  invitationHash?: string;
}

export class CreateInvitationRequest {
  /** The admin inviting. */
  @IsUUID()
  createdBy!: string;

  /** When set, only this email may use the invitation. */
  @IsOptional()
  @MaxLength(254)
  @IsEmail()
  email?: string;

  @IsIn(roles)
  role!: Role;

  @Max(30)
  @Min(1)
  @IsInt()
  expiresInDays!: number;

  @Matches(/^[0-9a-f]{64}$/)
  tokenHash!: string;
}

export class InvitationRef {
  @IsUUID()
  id!: string;

  /** The admin acting, for the audit log. */
  @IsUUID()
  actorId!: string;
}

export interface InvitationDto {
  id: string;
  email: string | null;
  role: Role;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
}

export class FindCredentialsRequest {
  @MaxLength(254)
  @IsString()
  email!: string;
}

export class GetUserRequest {
  @IsUUID()
  id!: string;
}

/** A user changes what their own account shows: their name (trimmed by the gateway). */
export class UpdateProfileRequest {
  @IsUUID()
  userId!: string;

  @Length(1, 100)
  @IsString()
  name!: string;
}

/**
 * A user's new password, once the gateway has checked the current one. In one transaction: the
 * hash is replaced, every refresh token of the user is revoked (every session, on every device),
 * a new token family starts for the session that made the change, and the change is audited.
 */
export class ChangePasswordRequest {
  @IsUUID()
  userId!: string;

  /** An argon2id hash (PHC string) of the new password. */
  @MaxLength(512)
  @IsString()
  passwordHash!: string;

  /** A SHA-256 hash (hex) of the refresh token the changing session gets instead of its old one. */
  @Length(64, 64)
  @IsString()
  refreshTokenHash!: string;

  @IsISO8601()
  refreshExpiresAt!: string;

  @IsOptional()
  @MaxLength(64)
  @IsString()
  ip?: string;
}

export class IssueRefreshTokenRequest {
  @IsUUID()
  userId!: string;

  /** A SHA-256 hash (hex) of the token the client holds. */
  @Length(64, 64)
  @IsString()
  tokenHash!: string;

  @IsISO8601()
  expiresAt!: string;
}

export class RotateRefreshTokenRequest {
  @Length(64, 64)
  @IsString()
  tokenHash!: string;

  @Length(64, 64)
  @IsString()
  nextTokenHash!: string;

  @IsISO8601()
  nextExpiresAt!: string;
}

export class RevokeRefreshTokenRequest {
  @Length(64, 64)
  @IsString()
  tokenHash!: string;
}

/** How a rotation went: `reused` means an old token came back, and its whole family is now revoked. */
export type RotationOutcome = { outcome: 'rotated'; user: UserDto } | { outcome: 'reused' | 'unknown' | 'expired' | 'disabled' };

/** What an API key may do. A session (a signed-in user) may do everything its role allows. */
export const apiKeyScopes = ['conversations:read', 'conversations:write', 'chat', 'files', 'mcp:call', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export interface ApiKeyDto {
  id: string;
  name: string;
  /** The key's first characters, to recognise it by; the rest is never stored. */
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export class CreateApiKeyRequest {
  @IsUUID()
  userId!: string;

  @Length(1, 100)
  @IsString()
  name!: string;

  @IsIn(apiKeyScopes, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(apiKeyScopes.length)
  @ArrayMinSize(1)
  scopes!: ApiKeyScope[];

  @Matches(/^dfc_[A-Za-z0-9_-]{8}$/)
  prefix!: string;

  /** A SHA-256 hash (hex) of the whole key. */
  @Length(64, 64)
  @IsString()
  keyHash!: string;

  @IsOptional()
  @IsISO8601()
  expiresAt?: string;
}

export class ListApiKeysRequest {
  @IsUUID()
  userId!: string;
}

export class RevokeApiKeyRequest {
  @IsUUID()
  userId!: string;

  @IsUUID()
  id!: string;
}

export class FindApiKeyRequest {
  @Length(64, 64)
  @IsString()
  keyHash!: string;
}

/** A usable key (not revoked, not expired) and its owner; null otherwise. */
export type ApiKeyOwner = { key: ApiKeyDto; user: UserDto } | null;

/** What the audit log records. */
export const auditActions = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'token.reused',
  'api_key.created',
  'api_key.revoked',
  'user.role_changed',
  'user.password_changed',
  'user.password_change_failed',
  'user.disabled',
  'user.enabled',
  'invitation.created',
  'invitation.revoked',
  'conversation.deleted',
  'mcp.server_restarted',
  'mcp.server_enabled',
  'mcp.server_disabled',
  'mcp.config_reloaded',
  'tool.granted',
  'tool.grant_revoked',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** What a password was checked for: a sign-in, or a signed-in user's password change (its current password). */
export const passwordChecks = ['login', 'password_change'] as const;
export type PasswordCheck = (typeof passwordChecks)[number];

export class RecordLoginRequest {
  @MaxLength(254)
  @IsString()
  email!: string;

  @IsBoolean()
  succeeded!: boolean;

  /** `login` when left out. A wrong current password counts towards the lockout like a failed sign-in, audited as `user.password_change_failed`. */
  @IsOptional()
  @IsIn(passwordChecks)
  check?: PasswordCheck;

  @IsOptional()
  @MaxLength(64)
  @IsString()
  ip?: string;
}

/** After a login attempt: when the account is locked until, if it is. */
export interface LoginRecord {
  lockedUntil: string | null;
}

export class AuditRequest {
  @IsIn(auditActions)
  action!: AuditAction;

  @IsOptional()
  @IsUUID()
  actorId?: string;

  @IsOptional()
  @MaxLength(200)
  @IsString()
  target?: string;

  @IsOptional()
  @MaxLength(64)
  @IsString()
  ip?: string;
}

export class ListUsersRequest {
  /** 1–200, default 50. Also read from a query string, hence the conversion. */
  @IsOptional()
  @Type(() => Number)
  @Max(200)
  @Min(1)
  @IsInt()
  limit?: number;

  /** The id of the last user of the previous page. */
  @IsOptional()
  @IsUUID()
  after?: string;
}

export class UpdateUserRequest {
  /** The admin making the change, for the audit log. */
  @IsUUID()
  actorId!: string;

  @IsUUID()
  id!: string;

  @IsOptional()
  @IsIn(roles)
  role?: Role;

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

/** Failed sign-ins in a row that lock an account, and for how long. */
export const loginLockout = { failures: 5, minutes: 15 } as const;

export const AccountsContract = {
  /** Conflict if the email is taken; Forbidden if registration is closed and this is not the first account. */
  createUser: rpc<CreateUserRequest, UserDto>(ServiceName.Conversations, 'accounts.createUser'),
  /** null when no account has this email. */
  findCredentials: rpc<FindCredentialsRequest, Credentials | null>(ServiceName.Conversations, 'accounts.findCredentials'),
  /** NotFound when there is no such user. */
  getUser: rpc<GetUserRequest, UserDto>(ServiceName.Conversations, 'accounts.getUser'),
  issueRefreshToken: rpc<IssueRefreshTokenRequest, { familyId: string }>(ServiceName.Conversations, 'accounts.refreshTokens.issue'),
  rotateRefreshToken: rpc<RotateRefreshTokenRequest, RotationOutcome>(ServiceName.Conversations, 'accounts.refreshTokens.rotate'),
  /** Revokes the token's whole family (a logout); an unknown token is not an error. */
  revokeRefreshToken: rpc<RevokeRefreshTokenRequest, { revoked: boolean }>(ServiceName.Conversations, 'accounts.refreshTokens.revoke'),
  createApiKey: rpc<CreateApiKeyRequest, ApiKeyDto>(ServiceName.Conversations, 'accounts.apiKeys.create'),
  /** Newest first, revoked ones included. */
  listApiKeys: rpc<ListApiKeysRequest, ApiKeyDto[]>(ServiceName.Conversations, 'accounts.apiKeys.list'),
  /** NotFound unless the key is this user's. */
  revokeApiKey: rpc<RevokeApiKeyRequest, ApiKeyDto>(ServiceName.Conversations, 'accounts.apiKeys.revoke'),
  /** Also notes when the key was last used. */
  findApiKey: rpc<FindApiKeyRequest, ApiKeyOwner>(ServiceName.Conversations, 'accounts.apiKeys.find'),
  /** Counts a failed sign-in (locking the account after `loginLockout.failures`) or clears the count; audits either way. */
  recordLogin: rpc<RecordLoginRequest, LoginRecord>(ServiceName.Conversations, 'accounts.recordLogin'),
  audit: rpc<AuditRequest, { recorded: true }>(ServiceName.Conversations, 'accounts.audit'),
  /** Oldest first, by id after `after`. */
  listUsers: rpc<ListUsersRequest, UserDto[]>(ServiceName.Conversations, 'accounts.users.list'),
  /** Audited. */
  createInvitation: rpc<CreateInvitationRequest, InvitationDto>(ServiceName.Conversations, 'accounts.invitations.create'),
  /** Newest first, used and expired ones included. */
  listInvitations: rpc<NoArguments, InvitationDto[]>(ServiceName.Conversations, 'accounts.invitations.list'),
  /** Deletes an unused invitation; NotFound when there is none (used ones are kept as a record). Audited. */
  revokeInvitation: rpc<InvitationRef, { revoked: true }>(ServiceName.Conversations, 'accounts.invitations.revoke'),
  /** The user's own name; NotFound when there is no such user. */
  updateProfile: rpc<UpdateProfileRequest, UserDto>(ServiceName.Conversations, 'accounts.users.updateProfile'),
  /** Replaces the password hash and signs out every session but the new one it starts (see the request); NotFound, or Forbidden for a disabled account. Audited. */
  changePassword: rpc<ChangePasswordRequest, { revokedSessions: number }>(ServiceName.Conversations, 'accounts.users.changePassword'),
  /** Role and disabled flag; Conflict when it would leave no active admin. Disabling signs the user out (refresh tokens revoked). Audited. */
  updateUser: rpc<UpdateUserRequest, UserDto>(ServiceName.Conversations, 'accounts.users.update'),
};
