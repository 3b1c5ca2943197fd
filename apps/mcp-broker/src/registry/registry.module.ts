import { type DynamicModule, Module } from '@nestjs/common';
import { type McpConfig } from './mcp-config.js';
import { MCP_CONFIG, RegistryService } from './registry.service.js';
import { ServersHandler } from './servers.handler.js';

@Module({})
export class RegistryModule {
  static forRoot(config: McpConfig): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [ServersHandler],
      providers: [{ provide: MCP_CONFIG, useValue: config }, RegistryService],
      exports: [RegistryService],
    };
  }
}
