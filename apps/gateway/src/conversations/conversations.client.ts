import { Injectable } from '@nestjs/common';
import {
  type ConversationDto,
  type ConversationRef,
  ConversationsContract,
  CreateConversationRequest,
  InjectServiceClient,
  ListConversationsRequest,
  ServiceClient,
  ServiceName,
  type UpdateConversationRequest,
} from '@dataflow/shared';

@Injectable()
export class ConversationsClient {
  constructor(@InjectServiceClient(ServiceName.Conversations) private readonly client: ServiceClient) {}

  create(request: CreateConversationRequest): Promise<ConversationDto> {
    return this.client.send(ConversationsContract.create, request);
  }

  list(request: ListConversationsRequest): Promise<ConversationDto[]> {
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
}
