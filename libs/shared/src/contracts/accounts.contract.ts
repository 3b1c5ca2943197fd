import { IsBoolean, IsEmail, IsISO8601, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { rpc } from './rpc-contract.js';
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
}

export class FindCredentialsRequest {
  @MaxLength(254)
  @IsString()
  email!: string;
}

export interface Credentials {
  user: UserDto;
  passwordHash: string;
}

export class GetUserRequest {
  @IsUUID()
  id!: string;
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
};
