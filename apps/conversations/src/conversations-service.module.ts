import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationsEnv, createLoggerModule, type Transport, TransportModule } from '@dataflow/shared';
import { AccountsModule } from './accounts/accounts.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { HealthModule } from './health/health.module.js';
import { UploadsModule } from './uploads/uploads.module.js';

export interface ConversationsServiceOptions {
  config: ConversationsEnv & { DATABASE_URL: string };
  transport: Transport;
}

/** The conversations service: the one owner of the database. */
@Module({})
export class ConversationsServiceModule {
  static forRoot({ config, transport }: ConversationsServiceOptions): DynamicModule {
    return {
      module: ConversationsServiceModule,
      imports: [
        createLoggerModule(config.LOG_LEVEL),
        TransportModule.forRoot({ transport, timeoutMs: config.RPC_TIMEOUT_MS }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.DATABASE_URL, config.DB_POOL_SIZE), retryAttempts: 5, retryDelay: 2_000 }),
        AccountsModule,
        ConversationsModule,
        UploadsModule,
        HealthModule,
      ],
    };
  }
}
