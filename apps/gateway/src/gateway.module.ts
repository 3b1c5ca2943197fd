import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { createLoggerModule, GatewayEnv, ServiceName, type Transport, TransportModule } from '@dataflow/shared';
import { AuthModule } from './auth/auth.module.js';
import { ConversationsClient } from './conversations/conversations.client.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { HealthController } from './health/health.controller.js';
import { McpAggregateModule } from './mcp/aggregate/aggregate.module.js';
import { McpAdminController, McpController } from './mcp/mcp.controller.js';
import { UploadsModule } from './uploads/uploads.module.js';
import { ChatModule } from './chat/chat.module.js';
import { WebModule } from './web/web.module.js';

export interface GatewayOptions {
  config: GatewayEnv;
  transport: Transport;
}

/** The HTTP face of the platform. It holds no state a second replica would need. */
@Module({})
export class GatewayModule {
  static forRoot({ config, transport }: GatewayOptions): DynamicModule {
    if (!config.JWT_SECRET) throw new Error('The gateway needs JWT_SECRET to sign access tokens');
    return {
      module: GatewayModule,
      imports: [
        createLoggerModule(config.LOG_LEVEL),
        TransportModule.forRoot({
          transport,
          clients: [ServiceName.Conversations, ServiceName.McpBroker],
          timeoutMs: config.RPC_TIMEOUT_MS,
        }),
        TerminusModule.forRoot({ logger: false }),
        AuthModule.forRoot({
          secret: config.JWT_SECRET,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
          refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
          registration: config.REGISTRATION,
          rateLimits: { perIp: config.AUTH_RATE_LIMIT_PER_MINUTE, perAccount: config.AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE },
          redis: config.REDIS_URL ? { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX } : undefined,
        }),
        McpAggregateModule.forRoot(config),
        UploadsModule.forRoot(config),
        ChatModule.forRoot(config),
        WebModule.forRoot(config.WEB_DIR),
      ],
      controllers: [HealthController, ConversationsController, McpController, McpAdminController],
      providers: [ConversationsClient],
    };
  }
}
