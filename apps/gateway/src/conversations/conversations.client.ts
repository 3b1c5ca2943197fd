import { Injectable } from '@nestjs/common';
import {
  type AppendMessageRequest,
  type AskRequest,
  type Asked,
  type ConversationDto,
  type ConversationRef,
  ConversationsContract,
  CreateConversationRequest,
  type CreateToolGrantRequest,
  InjectServiceClient,
  ListConversationsRequest,
  type ListMessagesRequest,
  type ListToolGrantsRequest,
  type MessageDto,
  type MessageRef,
  MessagesContract,
  type Page,
  ServiceClient,
  ServiceName,
  type ToolGrantDto,
  type ToolGrantRef,
  ToolGrantsContract,
  type UpdateConversationRequest,
  type UpdateMessageRequest,
} from '@dataflow/shared';

@Injectable()
export class ConversationsClient {
  constructor(@InjectServiceClient(ServiceName.Conversations) private readonly client: ServiceClient) {}

  create(request: CreateConversationRequest): Promise<ConversationDto> {
    return this.client.send(ConversationsContract.create, request);
  }

  list(request: ListConversationsRequest): Promise<Page<ConversationDto>> {
    return this.client.send(ConversationsContract.list, request);
  }

  get(request: ConversationRef): Promise<ConversationDto> {
    return this.client.send(ConversationsContract.get, request);
  }

  update(request: UpdateConversationRequest): Promise<ConversationDto> {
    return this.client.send(ConversationsContract.update, request);
  }

  delete(request: ConversationRef): Promise<{ deleted: true }> {
    return this.client.send(ConversationsContract.delete, request);
  }

  appendMessage(request: AppendMessageRequest): Promise<MessageDto> {
    return this.client.send(MessagesContract.append, request);
  }

  /** A user's question and the empty answer a turn will write, both or neither, with the branch the question continues. */
  ask(request: AskRequest): Promise<Asked> {
    return this.client.send(MessagesContract.ask, request);
  }

  updateMessage(request: UpdateMessageRequest): Promise<MessageDto> {
    return this.client.send(MessagesContract.update, request);
  }

  getMessage(request: MessageRef): Promise<MessageDto> {
    return this.client.send(MessagesContract.get, request);
  }

  listMessages(request: ListMessagesRequest): Promise<Page<MessageDto>> {
    return this.client.send(MessagesContract.list, request);
  }

  /** The caller's tool grants, newest first; with a conversationId, those that hold in it (its own and the "always" ones). */
  listToolGrants(request: ListToolGrantsRequest): Promise<ToolGrantDto[]> {
    return this.client.send(ToolGrantsContract.list, request);
  }

  /** Remembers an approval: the tool in this conversation, or always without one. Granting twice answers the same grant. */
  grantTool(request: CreateToolGrantRequest): Promise<ToolGrantDto> {
    return this.client.send(ToolGrantsContract.create, request);
  }

  revokeToolGrant(request: ToolGrantRef): Promise<{ deleted: true }> {
    return this.client.send(ToolGrantsContract.delete, request);
  }

  /** Every message, oldest first, fetched a page at a time so that no one reply is huge. */
  async allMessages(ref: ConversationRef): Promise<MessageDto[]> {
    const messages: MessageDto[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listMessages({ ownerId: ref.ownerId, conversationId: ref.id, limit: 500, cursor });
      messages.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return messages;
  }
}
