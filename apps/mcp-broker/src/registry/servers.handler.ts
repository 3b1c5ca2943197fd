import { Controller, Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { McpBrokerContract, type McpServerSummary } from '@dataflow/shared';
import { RegistryService } from './registry.service.js';

@Controller()
export class ServersHandler {
  private readonly logger = new Logger(ServersHandler.name);

  constructor(private readonly registry: RegistryService) {}

  @MessagePattern(McpBrokerContract.listServers.pattern)
  listServers(): McpServerSummary[] {
    const servers = this.registry.list();
    this.logger.debug({ count: servers.length }, 'listed MCP servers');
    return servers;
  }
}
