import { Module } from '@nestjs/common';
import { AccountsHandler } from './accounts.handler.js';
import { AccountsRepository } from './accounts.repository.js';
import { ApiKeysHandler } from './api-keys.handler.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { InvitationsHandler } from './invitations.handler.js';
import { InvitationsRepository } from './invitations.repository.js';

@Module({
  controllers: [AccountsHandler, ApiKeysHandler, InvitationsHandler],
  providers: [AccountsRepository, ApiKeysRepository, InvitationsRepository],
  exports: [AccountsRepository],
})
export class AccountsModule {}
