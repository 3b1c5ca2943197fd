import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { AppError, ConversationsContract, type ServiceHealth, ServiceName } from '@dataflow/shared';
import { DatabaseHealth } from './database-health.js';

@Controller()
export class HealthHandler {
  constructor(private readonly database: DatabaseHealth) {}

  @MessagePattern(ConversationsContract.health.pattern)
  async health(): Promise<ServiceHealth> {
    try {
      await this.database.check();
    } catch (error) {
      throw AppError.unavailable(ServiceName.Conversations, `database: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { service: ServiceName.Conversations, checks: { database: 'up' } };
  }
}
