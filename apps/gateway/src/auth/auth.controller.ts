import { Body, Controller, Get, HttpCode, Inject, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, ErrorCode, type UserDto } from '@dataflow/shared';
import { AccountsClient } from './accounts.client.js';
import { AUTH_OPTIONS, type AuthOptions, refreshCookie } from './auth.options.js';
import { ChangePasswordBody, LoginRequest, RegisterRequest, type SessionResponse, type SetupStatus, UpdateProfileBody } from './auth.dto.js';
import { AnyCaller, CurrentCaller, Public, SessionOnly } from './access.guard.js';
import type { Caller } from './jwt.strategy.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { AuthThrottlerGuard } from './throttling.js';
import { hashToken, type RefreshToken, TokensService } from './tokens.service.js';

/** The refresh cookie's attributes, the same when it is set and when it is cleared. */
const cookieOptions = { httpOnly: true, secure: true, sameSite: 'strict', path: refreshCookie.path } as const;

const wrongCredentials = () => new AppError(ErrorCode.Unauthorized, 'Wrong email or password');

function locked(until: string): AppError {
  const seconds = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000));
  return new AppError(ErrorCode.RateLimited, `Too many failed sign-ins: this account is locked for ${Math.ceil(seconds / 60)} more minute(s)`, { retryAfterSeconds: seconds });
}

/** A token outliving its account says nothing about the account. */
function accountGone(error: unknown): never {
  if (error instanceof AppError && error.code === ErrorCode.NotFound) throw new AppError(ErrorCode.Unauthorized, 'This account does not exist any more');
  throw error;
}

function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * Accounts and sessions: register, sign in, refresh silently, sign out, who am I, and a signed-in
 * user's own name and password. Rate limited per address, and per email named (or, for a password
 * change, per account).
 */
@Controller('api/v1/auth')
@UseGuards(AuthThrottlerGuard)
export class AuthController {
  constructor(
    private readonly accounts: AccountsClient,
    private readonly tokens: TokensService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  /** Whether this is an empty instance, whose first account becomes the admin, and who may register after it. */
  @Get('setup')
  @Public()
  async setup(): Promise<SetupStatus> {
    const [anyone] = await this.accounts.listUsers(1, undefined);
    return { firstRun: anyone === undefined, registration: this.options.registration };
  }

  /** The first account becomes admin; after that, REGISTRATION decides: anyone, holders of an invitation, or nobody. */
  @Post('register')
  @Public()
  async register(@Body() body: RegisterRequest, @Res({ passthrough: true }) response: Response): Promise<SessionResponse> {
    const problem = passwordProblem(body.password, body.email);
    if (problem) throw new AppError(ErrorCode.ValidationFailed, problem, { field: 'password' });
    const user = await this.accounts.createUser({
      email: body.email,
      name: body.name,
      passwordHash: await hashPassword(body.password),
      othersMayRegister: this.options.registration === 'open',
      invitationHash: this.options.registration === 'invite' && body.invitation ? hashToken(body.invitation) : undefined,
    });
    return this.startSession(user, response);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  async login(@Body() body: LoginRequest, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SessionResponse> {
    const credentials = await this.accounts.findCredentials(body.email);
    if (credentials?.lockedUntil) throw locked(credentials.lockedUntil);
    // Checked even when there is no such account, so that the answer takes as long either way.
    const matches = await verifyPassword(credentials?.passwordHash, body.password);
    // The right password for a disabled account is neither a success nor a failure to count.
    if (credentials && matches && credentials.user.disabled) throw new AppError(ErrorCode.Forbidden, 'This account is disabled; ask an admin');
    const record = await this.accounts.recordLogin({ email: body.email, succeeded: Boolean(credentials && matches), ip: request.ip });
    if (!credentials || !matches) throw record.lockedUntil ? locked(record.lockedUntil) : wrongCredentials();
    return this.startSession(credentials.user, response);
  }

  /** Swaps the refresh cookie for a new one and a new access token. A reused cookie ends its whole family of sessions. */
  @Post('refresh')
  @Public()
  @HttpCode(200)
  async refresh(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SessionResponse> {
    const presented = cookieValue(request, refreshCookie.name);
    if (!presented) throw new AppError(ErrorCode.Unauthorized, 'No session to refresh: sign in again');
    const next = this.tokens.newRefreshToken();
    const rotation = await this.accounts.rotateRefreshToken(hashToken(presented), next.hash, next.expiresAt);
    if (rotation.outcome !== 'rotated') {
      this.clearCookie(response);
      const why = {
        reused: 'This session was refreshed before with the same token, so every session it started has been signed out. Sign in again',
        expired: 'The session has expired; sign in again',
        disabled: 'This account is disabled; ask an admin',
        unknown: 'The session is not valid any more; sign in again',
      }[rotation.outcome];
      throw new AppError(ErrorCode.Unauthorized, why);
    }
    this.setCookie(response, next);
    return { ...(await this.tokens.accessTokenFor(rotation.user)), user: rotation.user };
  }

  /**
   * Needs no access token: the refresh cookie it revokes is the credential, so a user whose
   * access token has run out (or a tab that reloaded and lost it) can still sign out.
   */
  @Post('logout')
  @Public()
  @HttpCode(204)
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    const presented = cookieValue(request, refreshCookie.name);
    if (presented) await this.accounts.revokeRefreshToken(hashToken(presented));
    this.clearCookie(response);
  }

  /** The caller's account, for a session or an API key. */
  @Get('me')
  @AnyCaller()
  me(@CurrentCaller() caller: Caller): Promise<UserDto> {
    return this.accounts.getUser(caller.userId).catch(accountGone);
  }

  /** The signed-in user's own name (a session only, not an API key). */
  @Patch('me')
  @SessionOnly()
  updateProfile(@CurrentCaller() caller: Caller, @Body() body: UpdateProfileBody): Promise<UserDto> {
    return this.accounts.updateProfile({ userId: caller.userId, name: body.name }).catch(accountGone);
  }

  /**
   * A new password, given the current one (a session only, not an API key). The new one follows
   * the rules of registration. A wrong current password is a 403 that counts towards the sign-in
   * lockout. Every other session of the user is signed out (their refresh tokens revoked; access
   * tokens already issued live out their minutes); this one gets a new refresh cookie. API keys
   * are not touched.
   */
  @Post('password')
  @SessionOnly()
  @HttpCode(204)
  async changePassword(
    @CurrentCaller() caller: Caller,
    @Body() body: ChangePasswordBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const { email } = await this.accounts.getUser(caller.userId).catch(accountGone);
    const problem = passwordProblem(body.newPassword, email);
    if (problem) throw new AppError(ErrorCode.ValidationFailed, problem, { field: 'newPassword' });
    const credentials = await this.accounts.findCredentials(email);
    if (!credentials) throw new AppError(ErrorCode.Unauthorized, 'This account does not exist any more');
    if (credentials.lockedUntil) throw locked(credentials.lockedUntil);
    if (credentials.user.disabled) throw new AppError(ErrorCode.Forbidden, 'This account is disabled; ask an admin');
    if (!(await verifyPassword(credentials.passwordHash, body.currentPassword))) {
      const record = await this.accounts.recordLogin({ email, succeeded: false, ip: request.ip, check: 'password_change' });
      throw record.lockedUntil ? locked(record.lockedUntil) : new AppError(ErrorCode.Forbidden, 'The current password is not right; the password was not changed', { field: 'currentPassword' });
    }
    const refresh = this.tokens.newRefreshToken();
    await this.accounts.changePassword({
      userId: caller.userId,
      passwordHash: await hashPassword(body.newPassword),
      refreshTokenHash: refresh.hash,
      refreshExpiresAt: refresh.expiresAt.toISOString(),
      ip: request.ip,
    });
    this.setCookie(response, refresh);
  }

  private async startSession(user: UserDto, response: Response): Promise<SessionResponse> {
    const refresh = this.tokens.newRefreshToken();
    await this.accounts.issueRefreshToken(user.id, refresh.hash, refresh.expiresAt);
    this.setCookie(response, refresh);
    return { ...(await this.tokens.accessTokenFor(user)), user };
  }

  private setCookie(response: Response, refresh: RefreshToken): void {
    response.cookie(refreshCookie.name, refresh.token, { ...cookieOptions, expires: refresh.expiresAt });
  }

  private clearCookie(response: Response): void {
    response.clearCookie(refreshCookie.name, cookieOptions);
  }
}
