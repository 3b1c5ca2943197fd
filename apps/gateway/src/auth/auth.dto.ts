import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { UserDto, RegistrationPolicy } from '@dataflow/shared';
import { passwordMaxLength } from './passwords.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class RegisterRequest {
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  @Transform(trim)
  @IsString()
  email!: string;

  /** At least 12 characters, and not a common one; the rules are checked after the types. */
  @MaxLength(passwordMaxLength)
  @IsString()
  password!: string;

  @Length(1, 100, { message: 'name must have 1 to 100 characters' })
  @Transform(trim)
  @IsString()
  name!: string;

  /** The token of an invitation from an admin, when REGISTRATION=invite. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'invitation must be the token an admin gave you' })
  @IsString()
  invitation?: string;
}

export class LoginRequest {
  @MaxLength(254)
  @Transform(trim)
  @IsString()
  email!: string;

  @MaxLength(passwordMaxLength)
  @IsString()
  password!: string;
}

/** PATCH /api/v1/auth/me: what a signed-in user changes of their own account. */
export class UpdateProfileBody {
  @Length(1, 100, { message: 'name must have 1 to 100 characters' })
  @Transform(trim)
  @IsString()
  name!: string;
}

/** POST /api/v1/auth/password. */
export class ChangePasswordBody {
  /** The password the account has now. */
  @MaxLength(passwordMaxLength)
  @IsNotEmpty({ message: 'currentPassword must be the password you sign in with now' })
  @IsString()
  currentPassword!: string;

  /** The rules of registration: 12 to 256 characters, not a common one, not containing the email's name. */
  @MaxLength(passwordMaxLength)
  @IsString()
  newPassword!: string;
}

/** GET /api/v1/auth/setup: what a sign-in page needs to know before anyone signs in. */
export interface SetupStatus {
  /** No account exists yet: the first to register becomes the admin. */
  firstRun: boolean;
  /** Who may register after the first account (REGISTRATION). */
  registration: RegistrationPolicy;
}

/** What register, login and refresh answer; the refresh token travels in a cookie only. */
export interface SessionResponse {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: UserDto;
}
