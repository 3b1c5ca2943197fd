import { Controller, Get } from '@nestjs/common';
import { InjectServiceClient, McpBrokerContract, type McpServerSummary, ServiceClient, ServiceName } from '@dataflow/shared';

@Controller('api/v1/mcp')
export class McpController {
  constructor(@InjectServiceClient(ServiceName.McpBroker) private readonly broker: ServiceClient) {}

  @Get('servers')
  listServers(): Promise<McpServerSummary[]> {
    return this.broker.send(McpBrokerContract.listServers, {});
  }
}
