import { Injectable } from '@nestjs/common';
import {
  type ConversationDto,
  ConversationsContract,
  CreateConversationRequest,
  InjectServiceClient,
  ListConversationsRequest,
  ServiceClient,
  ServiceName,
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
}
