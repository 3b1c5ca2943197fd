import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateBy, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import type { ConversationDto } from './conversations.contract.js';
import { OptionalCursor, OptionalPageSize, type Page } from './page.js';
import { rpc } from './rpc-contract.js';
import { ServiceName } from './service-name.js';
import { type MessagePart, messagePartsProblem, type MessageRole, messageRoles, type MessageStatus, messageStatuses } from './message-parts.js';

const AreMessageParts = () =>
  ValidateBy({
    name: 'areMessageParts',
    validator: { validate: (value) => messagePartsProblem(value) === undefined, defaultMessage: (args) => messagePartsProblem(args?.value) ?? 'parts are not valid' },
  });

export class TokenUsage {
  @IsInt()
  @Min(0)
  inputTokens!: number;

  @IsInt()
  @Min(0)
  outputTokens!: number;
}

/** When the answer started, how long until its first token, and how long it took in all. */
export class MessageTiming {
  @IsOptional()
  @IsInt()
  @Min(0)
  firstTokenMs?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  durationMs?: number;
}

/** What an update to a message may change: a streaming message is rewritten (that message only) in batches. */
export class MessageChange {
  @IsOptional()
  @AreMessageParts()
  parts?: MessagePart[];

  @IsOptional()
  @IsIn(messageStatuses)
  status?: MessageStatus;

  @IsOptional()
  @MaxLength(200)
  @IsString()
  model?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TokenUsage)
  usage?: TokenUsage;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MessageTiming)
  timing?: MessageTiming;
}

export class AppendMessageRequest extends MessageChange {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  conversationId!: string;

  /** The message this one answers or follows; null or absent for the first. It must be in the same conversation. */
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @IsIn(messageRoles)
  role!: MessageRole;

  @AreMessageParts()
  declare parts: MessagePart[];
}

export class UpdateMessageRequest extends MessageChange {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  conversationId!: string;

  @IsUUID()
  id!: string;
}

/**
 * A user's question and the empty answer a chat turn will write, added together, both or neither,
 * in one statement: the question under `parentId` (absent: after the conversation's latest
 * message; null: a new first message), the answer, streaming, under the question.
 */
export class AskRequest {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  conversationId!: string;

  /** Absent: after the latest message. Null: a new root. A message of another conversation is a validation error. */
  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  @AreMessageParts()
  parts!: MessagePart[];

  /** The answer's model is the conversation's own when it is one of these (the models still configured)… */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  keepModels?: string[];

  /** …and this one otherwise (none: direct mode). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  /** The title the conversation takes when this is its first message and it still has the default title. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;
}

export interface Asked {
  /** As it is after the question: marked active, titled when it was new. */
  conversation: ConversationDto;
  question: MessageDto;
  answer: MessageDto;
  /** The branch the question continues, oldest first: from the first message to the question's parent. */
  branch: MessageDto[];
  /** The question was the first message of a conversation with the default title: the first answer may title it. */
  first: boolean;
}

/** The query of GET /api/v1/conversations/:id/messages: oldest first, a page at a time. */
export class ListMessagesQuery {
  @OptionalPageSize(500)
  limit?: number;

  @OptionalCursor()
  cursor?: string;
}

export class ListMessagesRequest extends ListMessagesQuery {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  conversationId!: string;
}

/** One of the owner's messages, whichever conversation it is in. */
export class MessageRef {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  id!: string;
}

export interface MessageDto {
  id: string;
  conversationId: string;
  parentId: string | null;
  role: MessageRole;
  status: MessageStatus;
  parts: MessagePart[];
  model: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  timing: { firstTokenMs?: number; durationMs?: number } | null;
  createdAt: string;
  updatedAt: string;
}

export const MessagesContract = {
  /** NotFound unless the conversation is the owner's; a parentId from elsewhere is a validation error. */
  append: rpc<AppendMessageRequest, MessageDto>(ServiceName.Conversations, 'messages.append'),
  /** NotFound unless the conversation is the owner's; a parentId from elsewhere is a validation error, and nothing is written. */
  ask: rpc<AskRequest, Asked>(ServiceName.Conversations, 'messages.ask'),
  update: rpc<UpdateMessageRequest, MessageDto>(ServiceName.Conversations, 'messages.update'),
  /** Oldest first. */
  list: rpc<ListMessagesRequest, Page<MessageDto>>(ServiceName.Conversations, 'messages.list'),
  /** NotFound unless the message is in one of the owner's conversations. */
  get: rpc<MessageRef, MessageDto>(ServiceName.Conversations, 'messages.get'),
};
