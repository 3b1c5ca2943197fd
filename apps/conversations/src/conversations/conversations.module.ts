import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module.js';
import { Conversation } from './conversation.entity.js';
import { ConversationsPurge } from './conversations-purge.js';
import { ConversationsHandler } from './conversations.handler.js';
import { ConversationsRepository } from './conversations.repository.js';
import { MessagesRepository } from './messages.repository.js';
import { ToolGrantsHandler } from './tool-grants.handler.js';
import { ToolGrantsRepository } from './tool-grants.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([Conversation]), AccountsModule],
  controllers: [ConversationsHandler, ToolGrantsHandler],
  providers: [ConversationsRepository, MessagesRepository, ToolGrantsRepository, ConversationsPurge],
})
export class ConversationsModule {}
