import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from './access.guard.js';
import { AccountsClient } from './accounts.client.js';
import { AdminUsersController } from './admin-users.controller.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { ApiKeysController } from './api-keys.controller.js';
import { AuthController } from './auth.controller.js';
import { BearerAuthenticator } from './bearer-authenticator.js';
import { InvitationsController } from './invitations.controller.js';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';
import { authThrottling } from './throttling.js';
import { TokensService } from './tokens.service.js';

/** Accounts, sessions and API keys: passport's JWT strategy for access tokens, a bearer strategy for `dfc_` keys, rotating refresh tokens in a cookie. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    const storage = options.redis ? RedisThrottlerStorage.connect(options.redis.url, `${options.redis.keyPrefix}:throttle:`) : undefined;
    return {
      module: AuthModule,
      // The rest of the gateway (the MCP routes, `/mcp`) authenticates callers with what this exports.
      global: true,
      imports: [
        PassportModule,
        ThrottlerModule.forRoot(authThrottling(options.rateLimits, storage)),
        JwtModule.register({
          secret: options.secret,
          signOptions: { algorithm: 'HS256', issuer: options.issuer, audience: options.audience },
          verifyOptions: { algorithms: ['HS256'], issuer: options.issuer, audience: options.audience },
        }),
      ],
      controllers: [AuthController, ApiKeysController, AdminUsersController, InvitationsController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        // Registered so that Nest closes its Redis connection on shutdown.
        ...(storage ? [{ provide: RedisThrottlerStorage, useValue: storage }] : []),
        AccountsClient,
        TokensService,
        JwtStrategy,
        ApiKeyStrategy,
        BearerAuthenticator,
        // Every route, in every module: see `Access`.
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [AUTH_OPTIONS, TokensService, AccountsClient, BearerAuthenticator],
    };
  }
}
