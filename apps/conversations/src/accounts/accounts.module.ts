import { Module } from '@nestjs/common';
import { AccountsHandler } from './accounts.handler.js';
import { AccountsRepository } from './accounts.repository.js';
import { ApiKeysHandler } from './api-keys.handler.js';
import { ApiKeysRepository } from './api-keys.repository.js';

@Module({
  controllers: [AccountsHandler, ApiKeysHandler],
  providers: [AccountsRepository, ApiKeysRepository],
  exports: [AccountsRepository],
})
export class AccountsModule {}
