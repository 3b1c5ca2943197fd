import { type DynamicModule, Module } from '@nestjs/common';
import { McpBrokerEnv } from '@dataflow/shared';
import { CatalogHandler } from '../catalog/catalog.handler.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { ConfigWatcher } from '../config/config-watcher.js';
import { type McpConfig } from '../config/mcp-config.js';
import { MCP_CONFIG, ServerRegistry } from './server-registry.js';
import { ServersHandler } from './servers.handler.js';

@Module({})
export class RegistryModule {
  static forRoot(env: McpBrokerEnv, config: McpConfig): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [ServersHandler, CatalogHandler],
      providers: [
        { provide: MCP_CONFIG, useValue: config },
        { provide: McpBrokerEnv, useValue: env },
        ServerRegistry,
        CatalogService,
        ConfigWatcher,
      ],
      exports: [ServerRegistry],
    };
  }
}
