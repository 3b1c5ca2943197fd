import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { apiKeyPrefix, BearerAuthenticator } from './bearer-authenticator.js';
import type { Caller } from './jwt.strategy.js';

/**
 * `Authorization: Bearer dfc_…`: an API key, looked up by its hash. Anything else in the header
 * is left to the JWT strategy.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly bearer: BearerAuthenticator) {
    super();
  }

  async validate(token: string): Promise<Caller | false> {
    if (!token.startsWith(apiKeyPrefix)) return false;
    return (await this.bearer.apiKeyCaller(token)) ?? false;
  }
}
