import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { AccountsClient } from './accounts.client.js';
import type { Caller } from './jwt.strategy.js';
import { hashToken } from './tokens.service.js';

/** The visible start of every API key. */
export const apiKeyPrefix = 'dfc_';

/**
 * `Authorization: Bearer dfc_…`: an API key, looked up by its hash. Anything else in the header
 * is left to the JWT strategy.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly accounts: AccountsClient) {
    super();
  }

  async validate(token: string): Promise<Caller | false> {
    if (!token.startsWith(apiKeyPrefix)) return false;
    const found = await this.accounts.findApiKey(hashToken(token));
    return found ? { userId: found.user.id, role: found.user.role, scopes: found.key.scopes } : false;
  }
}
