import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { rpc } from './rpc-contract.js';
import { ServiceName } from './service-name.js';

/**
 * Tool grants: a user's answer "approve, and remember" to a tool that is not read-only, so that
 * the chat agent runs that tool without asking again, in one conversation or in all of them.
 */
export interface ToolGrantDto {
  id: string;
  /** The qualified tool name, `server__tool`. */
  tool: string;
  /** The conversation the grant holds in; null for "always". */
  conversationId: string | null;
  createdAt: string;
}

/** The query of GET /api/v1/tool-grants. */
export class ListToolGrantsQuery {
  /** The grants that hold in this conversation: its own and the "always" ones. Without it, all of the caller's. */
  @IsOptional()
  @IsUUID('all', { message: 'conversationId must be a conversation id' })
  conversationId?: string;
}

/** Only the owner's grants are listed, newest first. */
export class ListToolGrantsRequest extends ListToolGrantsQuery {
  @IsUUID()
  ownerId!: string;
}

export class CreateToolGrantRequest {
  @IsUUID()
  ownerId!: string;

  @Matches(/^\S+__\S+$/, { message: 'tool must be a qualified tool name, server__tool' })
  @MaxLength(300)
  @IsString()
  tool!: string;

  /** The owner's conversation the grant holds in; without it, the grant holds always. */
  @IsOptional()
  @IsUUID('all', { message: 'conversationId must be a conversation id' })
  conversationId?: string;
}

/** One of the owner's grants; another user's is not found. */
export class ToolGrantRef {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  id!: string;
}

export const ToolGrantsContract = {
  /** With a conversationId, the grants that hold in it (its own and the "always" ones); without, all of the owner's. Newest first. */
  list: rpc<ListToolGrantsRequest, ToolGrantDto[]>(ServiceName.Conversations, 'tool-grants.list'),
  /** Idempotent: granting again answers the grant there is. Another user's (or a deleted) conversation is NotFound. */
  create: rpc<CreateToolGrantRequest, ToolGrantDto>(ServiceName.Conversations, 'tool-grants.create'),
  /** NotFound unless it is the owner's. */
  delete: rpc<ToolGrantRef, { deleted: true }>(ServiceName.Conversations, 'tool-grants.delete'),
};
