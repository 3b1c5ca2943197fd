import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayEnv } from '@dataflow/shared';
import { McpBrokerClient } from '../mcp-broker.client.js';
import { MCP_ORIGIN_POLICY, McpAggregateEndpoint } from './aggregate.endpoint.js';
import { MCP_SESSIONS_OPTIONS, McpSessions, type McpSessionsOptions } from './mcp-sessions.service.js';
import { OriginPolicy } from './origin-policy.js';

/** The aggregated MCP endpoint, `/mcp`, for outside MCP clients; `mountMcpEndpoint` puts it on the HTTP server. */
@Module({})
export class McpAggregateModule {
  static forRoot(config: Pick<GatewayEnv, 'MCP_ALLOWED_ORIGINS' | 'MCP_SESSION_IDLE_MS' | 'MCP_SESSION_LIMIT'>): DynamicModule {
    const sessions: McpSessionsOptions = { idleMs: config.MCP_SESSION_IDLE_MS, limit: config.MCP_SESSION_LIMIT };
    return {
      module: McpAggregateModule,
      providers: [
        McpAggregateEndpoint,
        McpBrokerClient,
        McpSessions,
        { provide: MCP_SESSIONS_OPTIONS, useValue: sessions },
        { provide: MCP_ORIGIN_POLICY, useValue: new OriginPolicy(config.MCP_ALLOWED_ORIGINS) },
      ],
      // The REST routes (McpController) use the same client.
      exports: [McpBrokerClient],
    };
  }
}
