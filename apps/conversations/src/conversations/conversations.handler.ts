import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type ConversationDto,
  ConversationsContract,
  CreateConversationRequest,
  defaultConversationTitle,
  ListConversationsRequest,
} from '@dataflow/shared';
import { Conversation } from './conversation.entity.js';
import { ConversationsRepository } from './conversations.repository.js';

const defaultPageSize = 50;

function toDto(conversation: Conversation): ConversationDto {
  return {
    id: conversation.id,
    title: conversation.title,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
  };
}

@Controller()
export class ConversationsHandler {
  private readonly logger = new Logger(ConversationsHandler.name);

  constructor(private readonly conversations: ConversationsRepository) {}

  @MessagePattern(ConversationsContract.create.pattern)
  async create(@Payload() request: CreateConversationRequest): Promise<ConversationDto> {
    const conversation = await this.conversations.create(request.ownerId, request.title ?? defaultConversationTitle);
    this.logger.log({ conversationId: conversation.id, ownerId: request.ownerId }, 'conversation created');
    return toDto(conversation);
  }

  @MessagePattern(ConversationsContract.list.pattern)
  async list(@Payload() request: ListConversationsRequest): Promise<ConversationDto[]> {
    const conversations = await this.conversations.listNewest(request.ownerId, request.limit ?? defaultPageSize);
    return conversations.map(toDto);
  }
}
