import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role, UserDto } from '@dataflow/shared';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';

/** What an access token says: the user and their role. */
export interface AccessClaims {
  sub: string;
  role: Role;
}

export interface AccessToken {
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
}

export interface RefreshToken {
  token: string;
  hash: string;
  expiresAt: Date;
}

/** The one place that makes and checks tokens: HS256 JWTs for access, random opaque refresh tokens. */
@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async accessTokenFor(user: UserDto): Promise<AccessToken> {
    const claims: AccessClaims = { sub: user.id, role: user.role };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.options.accessTokenTtlSeconds });
    return { accessToken, expiresIn: this.options.accessTokenTtlSeconds };
  }

  newRefreshToken(): RefreshToken {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashToken(token), expiresAt: new Date(Date.now() + this.options.refreshTokenTtlDays * 86_400_000) };
  }
}

/** Tokens are stored as SHA-256 hashes: they are random and long, so a slow hash adds nothing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
