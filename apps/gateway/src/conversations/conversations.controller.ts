import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  AppError,
  type ConversationDto,
  CreateConversationBody,
  ErrorCode,
  ExportConversationQuery,
  ListConversationsQuery,
  ListMessagesQuery,
  type MessageDto,
  type Page,
  UpdateConversationBody,
} from '@dataflow/shared';
import { CurrentCaller, RequiresScope } from '../auth/access.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { type ConversationExport, conversationToMarkdown, exportFileName } from './conversation-export.js';
import { ConversationsClient } from './conversations.client.js';

/** A malformed id names no conversation: 404, as for another user's. */
const conversationId = new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such conversation') });

/** The caller's own conversations. Another user's is a 404, never a 403. */
@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsClient) {}

  @Post()
  @RequiresScope('conversations:write')
  create(@CurrentCaller() caller: Caller, @Body() body: CreateConversationBody): Promise<ConversationDto> {
    return this.conversations.create({ ...body, ownerId: caller.userId });
  }

  @Get()
  @RequiresScope('conversations:read')
  list(@CurrentCaller() caller: Caller, @Query() query: ListConversationsQuery): Promise<Page<ConversationDto>> {
    return this.conversations.list({ ...query, ownerId: caller.userId });
  }

  @Get(':id')
  @RequiresScope('conversations:read')
  get(@CurrentCaller() caller: Caller, @Param('id', conversationId) id: string): Promise<ConversationDto> {
    return this.conversations.get({ ownerId: caller.userId, id });
  }

  @Patch(':id')
  @RequiresScope('conversations:write')
  update(@CurrentCaller() caller: Caller, @Param('id', conversationId) id: string, @Body() body: UpdateConversationBody): Promise<ConversationDto> {
    if (body.title === undefined && body.pinned === undefined && body.archived === undefined && body.model === undefined) {
      throw new AppError(ErrorCode.ValidationFailed, 'Give title, pinned, archived or model');
    }
    return this.conversations.update({ ...body, ownerId: caller.userId, id });
  }

  /** Oldest first, a page at a time. */
  @Get(':id/messages')
  @RequiresScope('conversations:read')
  messages(@CurrentCaller() caller: Caller, @Param('id', conversationId) id: string, @Query() query: ListMessagesQuery): Promise<Page<MessageDto>> {
    return this.conversations.listMessages({ ...query, ownerId: caller.userId, conversationId: id });
  }

  /** The whole conversation as a download: Markdown to read, JSON to keep or import elsewhere. */
  @Get(':id/export')
  @RequiresScope('conversations:read')
  async export(
    @CurrentCaller() caller: Caller,
    @Param('id', conversationId) id: string,
    @Query() query: ExportConversationQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ConversationExport | string> {
    const ref = { ownerId: caller.userId, id };
    const conversation = await this.conversations.get(ref);
    const exported: ConversationExport = { conversation, messages: await this.conversations.allMessages(ref), exportedAt: new Date().toISOString() };
    response.attachment(exportFileName(conversation, query.format));
    if (query.format === 'json') return exported;
    response.type('text/markdown; charset=utf-8');
    return conversationToMarkdown(exported);
  }

  /** Soft delete: purged after 30 days. */
  @Delete(':id')
  @HttpCode(204)
  @RequiresScope('conversations:write')
  async delete(@CurrentCaller() caller: Caller, @Param('id', conversationId) id: string): Promise<void> {
    await this.conversations.delete({ ownerId: caller.userId, id });
  }
}
