import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { NoArguments, rpc, ServiceHealth } from './rpc-contract.js';
import { ServiceName } from './service-name.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateConversationRequest {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'title must not be blank' })
  @MaxLength(200)
  title?: string;
}

export class ListConversationsRequest {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export interface ConversationDto {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

export const defaultConversationTitle = 'New conversation';

export const ConversationsContract = {
  create: rpc<CreateConversationRequest, ConversationDto>(ServiceName.Conversations, 'conversations.create'),
  /** Newest first. */
  list: rpc<ListConversationsRequest, ConversationDto[]>(ServiceName.Conversations, 'conversations.list'),
  health: rpc<NoArguments, ServiceHealth>(ServiceName.Conversations, 'conversations.health'),
};
