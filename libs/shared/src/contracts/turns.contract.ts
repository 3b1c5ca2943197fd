import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { TurnEvent } from './turn-events.js';

/** The body of POST /api/v1/conversations/:id/messages: the user's message, which starts a turn. */
export class PostMessageBody {
  @MaxLength(32_000)
  @MinLength(1, { message: 'content must not be empty' })
  @IsString()
  content!: string;

  /** A configured model's id, for this turn; the default model otherwise. */
  @IsOptional()
  @MaxLength(200)
  @IsString()
  model?: string;

  /** Uploads the message refers to. */
  @IsOptional()
  @IsUUID('all', { each: true, message: 'each attachment must be an upload id' })
  @ArrayMaxSize(20)
  @IsArray()
  attachments?: string[];

  /**
   * The message this one answers; by default the conversation's latest. Editing a message is
   * posting its new text with the edited message's parentId: a sibling branch, the old one kept.
   */
  @IsOptional()
  @IsUUID('all', { message: 'parentId must be a message id' })
  parentId?: string;
}

export const approvalDecisions = ['approve', 'deny'] as const;
/** An approval can be remembered: the tool is then allowed without asking in this conversation, or always. */
export const approvalScopes = ['conversation', 'always'] as const;

/** The body of POST /api/v1/turns/:turnId/approvals: the user's answer to an `approval-required` event. */
export class ApprovalBody {
  @MaxLength(200)
  @MinLength(1)
  @IsString()
  toolCallId!: string;

  @IsIn(approvalDecisions, { message: `decision must be one of ${approvalDecisions.join(', ')}` })
  decision!: (typeof approvalDecisions)[number];

  @IsOptional()
  @IsIn(approvalScopes, { message: `remember must be one of ${approvalScopes.join(', ')}` })
  remember?: (typeof approvalScopes)[number];
}

/** What reaches the replica that runs a turn, from whichever replica a user's request reached. */
export type TurnControl = { turnId: string; type: 'cancel' } | { turnId: string; type: 'approval'; toolCallId: string; decision: (typeof approvalDecisions)[number] };

/** The body of POST /api/v1/messages/:id/regenerate. */
export class RegenerateBody {
  /** A configured model's id, for this answer; the conversation's otherwise. */
  @IsOptional()
  @MaxLength(200)
  @IsString()
  model?: string;
}

