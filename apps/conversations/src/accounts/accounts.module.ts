import { Module } from '@nestjs/common';
import { AccountsHandler } from './accounts.handler.js';
import { AccountsRepository } from './accounts.repository.js';

@Module({
  controllers: [AccountsHandler],
  providers: [AccountsRepository],
})
export class AccountsModule {}
