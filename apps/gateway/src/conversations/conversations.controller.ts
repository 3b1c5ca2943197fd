import { Body, Controller, Get, Post, Query, UseGuards } from '@nestjs/common';
import { type ConversationDto, CreateConversationBody, ListConversationsQuery } from '@dataflow/shared';
import { CallerGuard, CurrentCaller } from '../auth/jwt-auth.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { RequiresScope, ScopesGuard } from '../auth/scopes.guard.js';
import { ConversationsClient } from './conversations.client.js';

/** The caller's own conversations. */
@Controller('api/v1/conversations')
@UseGuards(CallerGuard, ScopesGuard)
export class ConversationsController {
  constructor(private readonly conversations: ConversationsClient) {}

  @Post()
  @RequiresScope('conversations:write')
  create(@CurrentCaller() caller: Caller, @Body() body: CreateConversationBody): Promise<ConversationDto> {
    return this.conversations.create({ ...body, ownerId: caller.userId });
  }

  @Get()
  @RequiresScope('conversations:read')
  list(@CurrentCaller() caller: Caller, @Query() query: ListConversationsQuery): Promise<ConversationDto[]> {
    return this.conversations.list({ ...query, ownerId: caller.userId });
  }
}
