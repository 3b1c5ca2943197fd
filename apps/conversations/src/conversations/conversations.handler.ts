import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AppendMessageRequest,
  AskRequest,
  type Asked,
  type ConversationDto,
  ConversationRef,
  ConversationsContract,
  CreateConversationRequest,
  defaultConversationTitle,
  ListConversationsRequest,
  ListMessagesRequest,
  type MessageDto,
  MessageRef,
  MessagesContract,
  type Page,
  UpdateConversationRequest,
  UpdateMessageRequest,
} from '@dataflow/shared';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { ConversationsRepository } from './conversations.repository.js';
import { type ConversationFields, MessagesRepository } from './messages.repository.js';

const defaultPageSize = 50;

function toDto(conversation: ConversationFields): ConversationDto {
  return {
    id: conversation.id,
    title: conversation.title,
    pinned: conversation.pinned,
    archived: conversation.archived,
    model: conversation.model,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
    activeAt: conversation.activeAt.toISOString(),
  };
}

@Controller()
export class ConversationsHandler {
  private readonly logger = new Logger(ConversationsHandler.name);

  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly accounts: AccountsRepository,
  ) {}

  @MessagePattern(ConversationsContract.create.pattern)
  async create(@Payload() request: CreateConversationRequest): Promise<ConversationDto> {
    const conversation = await this.conversations.create(request.ownerId, request.title ?? defaultConversationTitle, request.model ?? null);
    this.logger.log({ conversationId: conversation.id, ownerId: request.ownerId }, 'conversation created');
    return toDto(conversation);
  }

  @MessagePattern(ConversationsContract.list.pattern)
  async list(@Payload() request: ListConversationsRequest): Promise<Page<ConversationDto>> {
    const { ownerId, limit, ...listing } = request;
    const page = await this.conversations.list(ownerId, { ...listing, limit: limit ?? defaultPageSize });
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  @MessagePattern(MessagesContract.append.pattern)
  append(@Payload() request: AppendMessageRequest): Promise<MessageDto> {
    return this.messages.append(request);
  }

  @MessagePattern(MessagesContract.ask.pattern)
  async ask(@Payload() request: AskRequest): Promise<Asked> {
    const asked = await this.messages.ask(request);
    return { ...asked, conversation: toDto(asked.conversation) };
  }

  @MessagePattern(MessagesContract.update.pattern)
  updateMessage(@Payload() request: UpdateMessageRequest): Promise<MessageDto> {
    const { ownerId, conversationId, id, ...change } = request;
    return this.messages.update(ownerId, conversationId, id, change);
  }

  @MessagePattern(MessagesContract.list.pattern)
  listMessages(@Payload() request: ListMessagesRequest): Promise<Page<MessageDto>> {
    return this.messages.list(request.ownerId, request.conversationId, request.limit ?? defaultPageSize, request.cursor);
  }

  @MessagePattern(MessagesContract.get.pattern)
  getMessage(@Payload() request: MessageRef): Promise<MessageDto> {
    return this.messages.get(request.ownerId, request.id);
  }

  @MessagePattern(ConversationsContract.get.pattern)
  async get(@Payload() request: ConversationRef): Promise<ConversationDto> {
    return toDto(await this.conversations.get(request.ownerId, request.id));
  }

  @MessagePattern(ConversationsContract.update.pattern)
  async update(@Payload() request: UpdateConversationRequest): Promise<ConversationDto> {
    const { ownerId, id, ...change } = request;
    return toDto(await this.conversations.update(ownerId, id, change));
  }

  @MessagePattern(ConversationsContract.delete.pattern)
  async delete(@Payload() request: ConversationRef): Promise<{ deleted: true }> {
    await this.conversations.softDelete(request.ownerId, request.id);
    await this.accounts.audit('conversation.deleted', request.ownerId, `conversation:${request.id}`, undefined);
    return { deleted: true };
  }
}
