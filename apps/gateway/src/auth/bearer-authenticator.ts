import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccountsClient } from './accounts.client.js';
import type { Caller } from './jwt.strategy.js';
import { type AccessClaims, hashToken } from './tokens.service.js';

/** The visible start of every API key. */
export const apiKeyPrefix = 'dfc_';

/** How many verified access tokens `/mcp` remembers; a client sends the same one on every call until it refreshes. */
const verifiedTokenLimit = 10_000;

export function callerOf(claims: AccessClaims): Caller {
  return { userId: claims.sub, role: claims.role };
}

/**
 * Turns a bearer credential into a caller, for the routes outside Nest's router (`/mcp`), with the
 * same rules as the passport strategies: an API key is looked up by its hash on every request, so
 * a revoked key stops at once; an access token is verified once (HS256, issuer, audience) and then
 * remembered until it expires, because a tool call's budget is a fraction of a millisecond.
 */
@Injectable()
export class BearerAuthenticator {
  private readonly verified = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(
    private readonly jwt: JwtService,
    private readonly accounts: AccountsClient,
  ) {}

  /** The caller, or undefined when the header holds no credential that is valid now. */
  async authenticate(authorization: string | undefined): Promise<Caller | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const token = match[1]!;
    return token.startsWith(apiKeyPrefix) ? this.apiKeyCaller(token) : this.accessTokenCaller(token);
  }

  async apiKeyCaller(key: string): Promise<Caller | undefined> {
    const found = await this.accounts.findApiKey(hashToken(key));
    return found ? { userId: found.user.id, role: found.user.role, scopes: found.key.scopes } : undefined;
  }

  private accessTokenCaller(token: string): Caller | undefined {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > now) return known.caller;
    if (known) this.verified.delete(token);
    let claims: AccessClaims & { exp: number };
    try {
      claims = this.jwt.verify<AccessClaims & { exp: number }>(token);
    } catch {
      return undefined;
    }
    if (this.verified.size >= verifiedTokenLimit) this.verified.delete(this.verified.keys().next().value!);
    const caller = callerOf(claims);
    this.verified.set(token, { caller, expiresAtMs: claims.exp * 1000 });
    return caller;
  }
}
