import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  AppError,
  defaultConversationTitle,
  ErrorCode,
  type MessagePart,
  PostMessageBody,
  type PostedMessage,
  compareTurnEventIds,
  type LoggedTurnEvent,
  type TurnEventLog,
  turnEventIdPattern,
} from '@dataflow/shared';
import { CurrentCaller, RequiresScope } from '../auth/access.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { ConversationsClient } from '../conversations/conversations.client.js';
import { abortedOnDisconnect } from '../http/client-disconnect.js';
import { type ModelInfo, Models } from './models.js';
import { TURN_EVENTS } from './turn-events.provider.js';
import { TurnRunner } from './turn-runner.js';

const conversationId = new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such conversation') });
const turnId = new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such turn') });
const keepAliveMs = 15_000;

/** A title from the first message: its first line, cut at a word near 80 characters. */
function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0]!.trim();
  if (line.length <= 80) return line || defaultConversationTitle;
  const cut = line.slice(0, 80);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 40 ? cut.lastIndexOf(' ') : 80)}…`;
}

/** Chat: the configured models, a user's message that starts a turn, and the turn's events as they happen. */
@Controller('api/v1')
@RequiresScope('chat')
export class ChatController {
  constructor(
    private readonly models: Models,
    private readonly conversations: ConversationsClient,
    private readonly runner: TurnRunner,
    @Inject(TURN_EVENTS) private readonly events: TurnEventLog,
  ) {}

  /** The models this instance is configured with; none means direct mode. */
  @Get('models')
  listModels(): ModelInfo[] {
    return this.models.list();
  }

  /**
   * Saves the user's message and starts a turn that answers it → `{messageId, turnId}`. The turn
   * runs to its end whether or not anyone watches; follow it at `GET /api/v1/turns/:turnId/events`.
   */
  @Post('conversations/:id/messages')
  @HttpCode(202)
  async post(@CurrentCaller() caller: Caller, @Param('id', conversationId) id: string, @Body() body: PostMessageBody): Promise<PostedMessage> {
    const conversation = await this.conversations.get({ ownerId: caller.userId, id });
    const model = this.models.resolve(body.model);
    if (body.model !== undefined && !model) throw new AppError(ErrorCode.ValidationFailed, `There is no model ${body.model}; GET /api/v1/models lists them`, { field: 'model' });
    const ref = { ownerId: caller.userId, conversationId: id };
    const history = await this.conversations.allMessages({ ownerId: caller.userId, id });
    const parts: MessagePart[] = [{ type: 'text', text: body.content }, ...(body.attachments ?? []).map((uploadId): MessagePart => ({ type: 'file', name: uploadId, uploadId }))];
    const question = await this.conversations.appendMessage({ ...ref, role: 'user', parts, parentId: history.at(-1)?.id });
    const answer = await this.conversations.appendMessage({ ...ref, role: 'assistant', status: 'streaming', parts: [], parentId: question.id, model: model?.info.id });
    if (conversation.title === defaultConversationTitle && history.length === 0) await this.conversations.update({ ownerId: caller.userId, id, title: titleFrom(body.content) });
    const turn = randomUUID();
    await this.events.append(turn, { type: 'start', turnId: turn, conversationId: id, messageId: answer.id, model: model?.info.id ?? null, ownerId: caller.userId });
    this.runner.start({ turnId: turn, ownerId: caller.userId, conversationId: id, messageId: answer.id, model, history: [...history, question] });
    return { messageId: question.id, turnId: turn };
  }

  /**
   * The turn's events as server-sent events, each with its id: from the start, or after
   * `Last-Event-ID` for a client that reconnects. Ends after `done`. The log is always read from
   * its `start` event, which says whose turn it is; a resumed stream skips what the client has.
   */
  @Get('turns/:turnId/events')
  async stream(
    @CurrentCaller() caller: Caller,
    @Param('turnId', turnId) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    if (lastEventId !== undefined && !turnEventIdPattern.test(lastEventId)) throw new AppError(ErrorCode.ValidationFailed, 'Last-Event-ID must be an id this stream sent');
    if (!(await this.events.exists(id))) throw new AppError(ErrorCode.NotFound, 'There is no such turn');
    const abort = abortedOnDisconnect(response);
    const events = this.events.read(id, abort.signal)[Symbol.asyncIterator]();
    const first = await events.next();
    if (first.done || first.value.event.type !== 'start' || first.value.event.ownerId !== caller.userId) {
      abort.abort();
      throw new AppError(ErrorCode.NotFound, 'There is no such turn');
    }
    response.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    response.flushHeaders();
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), keepAliveMs);
    try {
      for (let next: IteratorResult<LoggedTurnEvent> = first; !next.done; next = await events.next()) {
        const { id: eventId, event } = next.value;
        if (lastEventId !== undefined && compareTurnEventIds(eventId, lastEventId) <= 0) continue;
        const { ownerId: _owner, ...visible } = event as typeof event & { ownerId?: string };
        response.write(`id: ${eventId}\nevent: ${event.type}\ndata: ${JSON.stringify(visible)}\n\n`);
      }
    } finally {
      clearInterval(keepAlive);
      response.end();
    }
  }
}
