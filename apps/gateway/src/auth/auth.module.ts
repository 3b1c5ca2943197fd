import { type DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AccountsClient } from './accounts.client.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { ApiKeysController } from './api-keys.controller.js';
import { AuthController } from './auth.controller.js';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import { JwtStrategy } from './jwt.strategy.js';
import { TokensService } from './tokens.service.js';

/** Accounts, sessions and API keys: passport's JWT strategy for access tokens, a bearer strategy for `dfc_` keys, rotating refresh tokens in a cookie. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        PassportModule,
        JwtModule.register({
          secret: options.secret,
          signOptions: { algorithm: 'HS256', issuer: options.issuer, audience: options.audience },
          verifyOptions: { algorithms: ['HS256'], issuer: options.issuer, audience: options.audience },
        }),
      ],
      controllers: [AuthController, ApiKeysController],
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, AccountsClient, TokensService, JwtStrategy, ApiKeyStrategy],
      exports: [AUTH_OPTIONS, TokensService],
    };
  }
}
