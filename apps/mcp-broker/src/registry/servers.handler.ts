import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  McpBrokerContract,
  type McpReloadReport,
  type McpServerDetail,
  type McpServerRequest,
  type McpServerSummary,
  type McpUserScoped,
} from '@dataflow/shared';
import { ServerRegistry } from './server-registry.js';

@Controller()
export class ServersHandler {
  constructor(private readonly registry: ServerRegistry) {}

  @MessagePattern(McpBrokerContract.listServers.pattern)
  list(@Payload() request: McpUserScoped): McpServerSummary[] {
    return this.registry.list(request?.userId);
  }

  @MessagePattern(McpBrokerContract.getServer.pattern)
  get(@Payload() request: McpServerRequest): McpServerDetail {
    return this.registry.detail(request.name, request.userId);
  }

  @MessagePattern(McpBrokerContract.restartServer.pattern)
  restart(@Payload() request: McpServerRequest): Promise<McpServerSummary> {
    return this.registry.restart(request.name, request.userId);
  }

  @MessagePattern(McpBrokerContract.enableServer.pattern)
  enable(@Payload() request: McpServerRequest): Promise<McpServerSummary> {
    return this.registry.setEnabled(request.name, true);
  }

  @MessagePattern(McpBrokerContract.disableServer.pattern)
  disable(@Payload() request: McpServerRequest): Promise<McpServerSummary> {
    return this.registry.setEnabled(request.name, false);
  }

  @MessagePattern(McpBrokerContract.reload.pattern)
  reload(): Promise<McpReloadReport> {
    return this.registry.reload();
  }
}
