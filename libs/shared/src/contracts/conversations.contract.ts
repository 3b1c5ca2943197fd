import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { OptionalCursor, OptionalPageSize, type Page } from './page.js';
import { type NoArguments, rpc, type ServiceHealth } from './rpc-contract.js';
import { ServiceName } from './service-name.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * An optional conversation title: 1–200 characters once trimmed. class-validator checks rules in
 * the order they were applied, last first; with the pipe's stopAtFirstError the type check must
 * be applied first (applyDecorators applies in list order) so that its message is the one reported.
 */
const OptionalTitle = () => applyDecorators(IsString(), MinLength(1, { message: 'title must not be blank' }), MaxLength(200), Transform(trim), IsOptional());

/**
 * An optional chat model: a configured model's id, 1–200 characters once trimmed; null (or leaving it out) means
 * the default model. It is not checked against the configured models, which change: a turn falls
 * back to the default model when the remembered one is gone.
 */
const OptionalModel = () => applyDecorators(IsString(), MinLength(1, { message: 'model must not be blank' }), MaxLength(200), Transform(trim), IsOptional());

/** In a change, a field may be left out, but not set to null: null is not a title, nor a flag. */
const Omittable = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** The body of POST /api/v1/conversations. */
export class CreateConversationBody {
  @OptionalTitle()
  title?: string;

  /** The chat model the conversation's turns use, unless a message names another. */
  @OptionalModel()
  model?: string | null;
}

/** The query of GET /api/v1/conversations: most recently active first, a page at a time. */
export class ListConversationsQuery {
  @OptionalPageSize(100)
  limit?: number;

  @OptionalCursor()
  cursor?: string;

  /** Full-text search over titles and message text (English stemming; quotes, OR and -word as in a web search). */
  @IsOptional()
  @MaxLength(200)
  @MinLength(1, { message: 'q must not be blank' })
  @Transform(trim)
  @IsString()
  q?: string;

  /** Archived conversations are listed only when this is true, and then only they. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'archived must be true or false' })
  archived?: boolean;
}

export const exportFormats = ['md', 'json'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** The query of GET /api/v1/conversations/:id/export. */
export class ExportConversationQuery {
  @IsIn(exportFormats, { message: `format must be one of ${exportFormats.join(', ')}` })
  format!: ExportFormat;
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

/** The body of PATCH /api/v1/conversations/:id: rename, pin, archive, choose the model. */
export class UpdateConversationBody {
  @Omittable()
  @MaxLength(200)
  @MinLength(1, { message: 'title must not be blank' })
  @Transform(trim)
  @IsString()
  title?: string;

  @Omittable()
  @IsBoolean()
  pinned?: boolean;

  @Omittable()
  @IsBoolean()
  archived?: boolean;

  /** The chat model to remember; null forgets it (the default model again). */
  @OptionalModel()
  model?: string | null;
}

/** One of the owner's conversations; another user's, or a deleted one, is not found. */
export class ConversationRef {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  id!: string;
}

export class UpdateConversationRequest extends UpdateConversationBody {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  id!: string;
}

/** Soft-deleted conversations are purged after this many days. */
export const conversationPurgeDays = 30;

export interface ConversationDto {
  id: string;
  title: string;
  pinned: boolean;
  archived: boolean;
  /** The chat model the conversation remembers (a configured model's id), or null for the default. */
  model: string | null;
  createdAt: string;
  updatedAt: string;
  /** When a message was last added (or the conversation made): the list's order. */
  activeAt: string;
}

export const defaultConversationTitle = 'New conversation';

export const ConversationsContract = {
  create: rpc<CreateConversationRequest, ConversationDto>(ServiceName.Conversations, 'conversations.create'),
  /** Most recently active first. */
  list: rpc<ListConversationsRequest, Page<ConversationDto>>(ServiceName.Conversations, 'conversations.list'),
  /** NotFound unless it is the owner's and not deleted. */
  get: rpc<ConversationRef, ConversationDto>(ServiceName.Conversations, 'conversations.get'),
  update: rpc<UpdateConversationRequest, ConversationDto>(ServiceName.Conversations, 'conversations.update'),
  /** Soft delete; purged after `conversationPurgeDays`. Audited. */
  delete: rpc<ConversationRef, { deleted: true }>(ServiceName.Conversations, 'conversations.delete'),
  health: rpc<NoArguments, ServiceHealth>(ServiceName.Conversations, 'conversations.health'),
};
