import { type DynamicModule, Module } from '@nestjs/common';
import { createLoggerModule, McpBrokerEnv, type Transport, TransportModule } from '@dataflow/shared';
import { HealthModule } from './health/health.module.js';
import { type McpConfig } from './config/mcp-config.js';
import { RegistryModule } from './registry/registry.module.js';

export interface McpBrokerOptions {
  config: McpBrokerEnv;
  mcpConfig: McpConfig;
  transport: Transport;
}

/** The MCP broker: the one owner of every MCP server connection. */
@Module({})
export class McpBrokerModule {
  static forRoot({ config, mcpConfig, transport }: McpBrokerOptions): DynamicModule {
    return {
      module: McpBrokerModule,
      imports: [
        createLoggerModule(config.LOG_LEVEL),
        TransportModule.forRoot({ transport, timeoutMs: config.RPC_TIMEOUT_MS }),
        RegistryModule.forRoot(config, mcpConfig),
        HealthModule,
      ],
    };
  }
}
