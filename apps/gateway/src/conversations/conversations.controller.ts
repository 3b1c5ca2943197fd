import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { type ConversationDto, CreateConversationRequest, ListConversationsRequest } from '@dataflow/shared';
import { ConversationsClient } from './conversations.client.js';

@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsClient) {}

  @Post()
  create(@Body() body: CreateConversationRequest): Promise<ConversationDto> {
    return this.conversations.create(body);
  }

  @Get()
  list(@Query() query: ListConversationsRequest): Promise<ConversationDto[]> {
    return this.conversations.list(query);
  }
}
