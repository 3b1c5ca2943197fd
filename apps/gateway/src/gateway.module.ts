import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { createLoggerModule, GatewayEnv, ServiceName, type Transport, TransportModule } from '@dataflow/shared';
import { ConversationsClient } from './conversations/conversations.client.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { HealthController } from './health/health.controller.js';
import { McpAggregateModule } from './mcp/aggregate/aggregate.module.js';
import { McpAdminController, McpController } from './mcp/mcp.controller.js';
import { WebModule } from './web/web.module.js';

export interface GatewayOptions {
  config: GatewayEnv;
  transport: Transport;
}

/** The HTTP face of the platform. It holds no state a second replica would need. */
@Module({})
export class GatewayModule {
  static forRoot({ config, transport }: GatewayOptions): DynamicModule {
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
        McpAggregateModule.forRoot(config),
        WebModule.forRoot(config.WEB_DIR),
      ],
      controllers: [HealthController, ConversationsController, McpController, McpAdminController],
      providers: [ConversationsClient],
    };
  }
}
