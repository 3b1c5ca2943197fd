import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { type NoArguments, rpc, type ServiceHealth } from './rpc-contract.js';
import { ServiceName } from './service-name.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// class-validator checks a property's rules from the bottom up; with the pipe's stopAtFirstError,
// the type check must sit nearest the property so that its message is the one reported.
/** The body of POST /api/v1/conversations. */
export class CreateConversationBody {
  @IsOptional()
  @Transform(trim)
  @MaxLength(200)
  @MinLength(1, { message: 'title must not be blank' })
  @IsString()
  title?: string;
}

/** The query of GET /api/v1/conversations. */
export class ListConversationsQuery {
  @IsOptional()
  @Type(() => Number)
  @Max(100)
  @Min(1)
  @IsInt()
  limit?: number;
}

/** A conversation is made for its owner, the signed-in caller: the gateway sets it, never the client. */
export class CreateConversationRequest extends CreateConversationBody {
  @IsUUID()
  ownerId!: string;
}

/** Only the owner's conversations are listed. */
export class ListConversationsRequest extends ListConversationsQuery {
  @IsUUID()
  ownerId!: string;
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
