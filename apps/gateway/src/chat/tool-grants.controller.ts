import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { AppError, ErrorCode, ListToolGrantsQuery, type ToolGrantDto } from '@dataflow/shared';
import { AccountsClient } from '../auth/accounts.client.js';
import { CurrentCaller, RequiresScope } from '../auth/access.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { ConversationsClient } from '../conversations/conversations.client.js';

/** A malformed id names no grant: 404, as for another user's. */
const toolGrantId = new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such tool grant') });

/**
 * The caller's tool grants: the tools they approved with "remember", which the chat agent then
 * runs without asking, in one conversation or always. Grants are made by answering an approval
 * in a chat turn; here they are seen and revoked.
 */
@Controller('api/v1/tool-grants')
@RequiresScope('chat')
export class ToolGrantsController {
  constructor(
    private readonly conversations: ConversationsClient,
    private readonly accounts: AccountsClient,
  ) {}

  /** Newest first; with `conversationId`, the grants that hold in that conversation (its own and the "always" ones). */
  @Get()
  list(@CurrentCaller() caller: Caller, @Query() query: ListToolGrantsQuery): Promise<ToolGrantDto[]> {
    return this.conversations.listToolGrants({ ...query, ownerId: caller.userId });
  }

  /** The tool asks for approval again. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentCaller() caller: Caller, @Param('id', toolGrantId) id: string): Promise<void> {
    await this.conversations.revokeToolGrant({ ownerId: caller.userId, id });
    await this.accounts.audit({ action: 'tool.grant_revoked', actorId: caller.userId, target: id });
  }
}
