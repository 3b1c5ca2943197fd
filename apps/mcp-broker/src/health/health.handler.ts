import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { McpBrokerContract, type ServiceHealth, ServiceName } from '@dataflow/shared';

@Controller()
export class HealthHandler {
  @MessagePattern(McpBrokerContract.health.pattern)
  health(): ServiceHealth {
    return { service: ServiceName.McpBroker, checks: { registry: 'up' } };
  }
}
