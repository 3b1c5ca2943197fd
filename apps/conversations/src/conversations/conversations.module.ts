import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Conversation } from './conversation.entity.js';
import { ConversationsHandler } from './conversations.handler.js';
import { ConversationsRepository } from './conversations.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([Conversation])],
  controllers: [ConversationsHandler],
  providers: [ConversationsRepository],
})
export class ConversationsModule {}
