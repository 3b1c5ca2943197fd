import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  AppError,
  ApprovalBody,
  compareTurnEventIds,
  defaultConversationTitle,
  ErrorCode,
  type LoggedTurnEvent,
  McpBrokerContract,
  type MessageDto,
  type MessagePart,
  PostMessageBody,
  type PostedMessage,
  qualifiedNameSeparator,
  RegenerateBody,
  type TurnEvent,
  type TurnEventLog,
  type TurnSummary,
  turnEventIdPattern,
  type UploadDto,
} from '@dataflow/shared';
import { AccountsClient } from '../auth/accounts.client.js';
import { CurrentCaller, RequiresScope } from '../auth/access.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { ConversationsClient } from '../conversations/conversations.client.js';
import { McpBrokerClient } from '../mcp/mcp-broker.client.js';
import { abortedOnDisconnect } from '../http/client-disconnect.js';
import { UploadsClient } from '../uploads/uploads.client.js';
import { type ConfiguredModel, type ModelInfo, Models } from './models.js';
import { TURN_EVENTS } from './turn-events.provider.js';
import { type Turn, TurnRunner } from './turn-runner.js';

const conversationId = new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such conversation') });
const noTurn = () => new AppError(ErrorCode.NotFound, 'There is no such turn');
const turnId = new ParseUUIDPipe({ exceptionFactory: noTurn });
const messageId = new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such message') });
const keepAliveMs = 15_000;

/** A title from the first message: its first line, cut at a word near 80 characters. */
function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0]!.trim();
  if (line.length <= 80) return line || defaultConversationTitle;
  const cut = line.slice(0, 80);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 40 ? cut.lastIndexOf(' ') : 80)}…`;
}

/** Awaits all at once; rejects with the first failure in argument order (not in time), so the answer does not depend on which was faster. */
async function settledInOrder<T extends unknown[]>(...pending: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(pending);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as T;
}

/** A branch of a conversation: from its first message to `leafId`, following each message's parent. */
function branchTo(messages: MessageDto[], leafId: string | null): MessageDto[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  const branch: MessageDto[] = [];
  for (let at = leafId ? byId.get(leafId) : undefined; at; at = at.parentId ? byId.get(at.parentId) : undefined) branch.unshift(at);
  return branch;
}

/** Chat: the configured models, a user's message that starts a turn, the turn's events as they happen, and the user's say in a running turn. */
@Controller('api/v1')
@RequiresScope('chat')
export class ChatController {
  constructor(
    private readonly models: Models,
    private readonly conversations: ConversationsClient,
    private readonly uploads: UploadsClient,
    private readonly accounts: AccountsClient,
    private readonly runner: TurnRunner,
    private readonly broker: McpBrokerClient,
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
   * With `parentId` the message starts a new branch there (editing a message is posting its new
   * text with the same parent); the old branch is kept.
   */
  @Post('conversations/:id/messages')
  @HttpCode(202)
  async post(@CurrentCaller() caller: Caller, @Param('id', conversationId) id: string, @Body() body: PostMessageBody): Promise<PostedMessage> {
    const attached = body.attachments?.length || (body.model !== undefined && !this.models.resolve(body.model)) ? await this.checked(caller, id, body) : [];
    const parts: MessagePart[] = [{ type: 'text', text: body.content }, ...attached.map((upload): MessagePart => ({ type: 'file', name: upload.name, uploadId: upload.id, mediaType: upload.mimeType }))];
    // The question and its empty answer in one write (under the message given, else after the
    // latest), sent first; what else the turn needs is asked for beside it.
    const asking = this.conversations.ask({ ownerId: caller.userId, conversationId: id, parentId: body.parentId, parts, title: titleFrom(body.content), ...this.modelChoice(body.model) });
    const needs = this.turnNeeds(caller);
    const asked = await asking;
    const turnId = await this.start(caller, { ...needs, conversationId: id, answer: asked.answer, branch: [...asked.branch, asked.question], attached, first: asked.first });
    return { messageId: asked.question.id, turnId };
  }

  /**
   * Answers a user's message again: a new answer beside the old one (a sibling branch), which is
   * kept. Given an answer, its question is answered again → `{messageId: the question's, turnId}`.
   */
  @Post('messages/:id/regenerate')
  @HttpCode(202)
  async regenerate(@CurrentCaller() caller: Caller, @Param('id', messageId) id: string, @Body() body: RegenerateBody): Promise<PostedMessage> {
    const message = await this.conversations.getMessage({ ownerId: caller.userId, id });
    if (message.status === 'streaming') throw new AppError(ErrorCode.Conflict, 'The answer is still being written; stop its turn first');
    const conversation = await this.conversations.get({ ownerId: caller.userId, id: message.conversationId });
    const history = await this.conversations.allMessages({ ownerId: caller.userId, id: conversation.id });
    const questionId = message.role === 'user' ? message.id : message.parentId;
    const question = history.find((candidate) => candidate.id === questionId);
    if (!question || question.role !== 'user') throw new AppError(ErrorCode.ValidationFailed, 'Only a question or an answer to one can be regenerated');
    const needs = this.turnNeeds(caller);
    const attached = await this.attachedTo(caller, question);
    const model = this.modelFor(body.model, conversation.model);
    const answer = await this.conversations.appendMessage({ ownerId: caller.userId, conversationId: conversation.id, role: 'assistant', status: 'streaming', parts: [], parentId: question.id, model: model?.info.id });
    const turnId = await this.start(caller, { ...needs, conversationId: conversation.id, answer, branch: branchTo(history, question.id), attached, first: false });
    return { messageId: question.id, turnId };
  }

  /** The conversation's turns of the last hour or so (at most 20), oldest first: a second tab finds the running one here and follows its events. */
  @Get('conversations/:id/turns')
  async turns(@CurrentCaller() caller: Caller, @Param('id', conversationId) id: string): Promise<TurnSummary[]> {
    await this.conversations.get({ ownerId: caller.userId, id });
    return (await this.events.turnsOf(id)).flatMap(({ start, done }) => {
      if (start.event.type !== 'start' || start.event.ownerId !== caller.userId) return [];
      return [
        {
          turnId: start.event.turnId,
          messageId: start.event.messageId,
          model: start.event.model,
          status: done?.event.type === 'done' ? done.event.status : 'running',
          startedAt: new Date(Number(start.id.split('-')[0])).toISOString(),
        },
      ];
    });
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
    if (!(await this.events.exists(id))) throw noTurn();
    const abort = abortedOnDisconnect(response);
    const events = this.events.read(id, abort.signal)[Symbol.asyncIterator]();
    const first = await events.next();
    if (first.done || first.value.event.type !== 'start' || first.value.event.ownerId !== caller.userId) {
      abort.abort();
      throw noTurn();
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

  /** Stops a running turn: the model's stream ends, tool calls in flight are cancelled, and what was produced is saved as `cancelled`. */
  @Post('turns/:turnId/cancel')
  @HttpCode(202)
  async cancel(@CurrentCaller() caller: Caller, @Param('turnId', turnId) id: string): Promise<{ turnId: string; status: 'cancelling' }> {
    const events = await this.ownedTurn(caller, id);
    if (events.some(({ event }) => event.type === 'done')) throw new AppError(ErrorCode.Conflict, 'The turn has already ended');
    await this.events.control({ turnId: id, type: 'cancel' });
    return { turnId: id, status: 'cancelling' };
  }

  /**
   * The user's answer to an `approval-required` event: the call runs, or the model is told it was
   * denied. `remember` allows the tool from now on, in this conversation or always.
   */
  @Post('turns/:turnId/approvals')
  @HttpCode(202)
  async approve(@CurrentCaller() caller: Caller, @Param('turnId', turnId) id: string, @Body() body: ApprovalBody): Promise<{ toolCallId: string; decision: ApprovalBody['decision'] }> {
    const events = await this.ownedTurn(caller, id);
    const asked = events.find(({ event }) => event.type === 'approval-required' && event.toolCallId === body.toolCallId)?.event as Extract<TurnEvent, { type: 'approval-required' }> | undefined;
    const answered = events.some(({ event }) => (event.type === 'tool-result' && event.toolCallId === body.toolCallId) || event.type === 'done');
    if (!asked || answered) throw new AppError(ErrorCode.Conflict, 'No call of this turn waits for approval with that toolCallId', { field: 'toolCallId' });
    if (body.remember && body.decision !== 'approve') throw new AppError(ErrorCode.ValidationFailed, 'Only an approval can be remembered', { field: 'remember' });
    if (body.remember) {
      const start = events[0]!.event as Extract<TurnEvent, { type: 'start' }>;
      const grant = await this.conversations.grantTool({
        ownerId: caller.userId,
        tool: `${asked.server}${qualifiedNameSeparator}${asked.tool}`,
        conversationId: body.remember === 'conversation' ? start.conversationId : undefined,
      });
      // A standing permission, like an API key: who allowed which tool, and where, is audited.
      await this.accounts.audit({ action: 'tool.granted', actorId: caller.userId, target: `${grant.tool}${grant.conversationId ? ` in ${grant.conversationId}` : ' always'}` });
    }
    await this.events.control({ turnId: id, type: 'approval', toolCallId: body.toolCallId, decision: body.decision });
    return { toolCallId: body.toolCallId, decision: body.decision };
  }

  /** The turn's events so far, when the turn is the caller's; not found otherwise. */
  private async ownedTurn(caller: Caller, id: string): Promise<LoggedTurnEvent[]> {
    const events = await this.events.snapshot(id);
    const start = events[0]?.event;
    if (start?.type !== 'start' || start.ownerId !== caller.userId) throw noTurn();
    return events;
  }

  /** The model a turn uses: the one asked for (which must exist), else the conversation's while it is configured, else the default. */
  private modelFor(requested: string | undefined, remembered: string | null): ConfiguredModel | undefined {
    if (requested === undefined) return this.models.resolve(remembered ?? undefined) ?? this.models.resolve(undefined);
    const model = this.models.resolve(requested);
    if (!model) throw new AppError(ErrorCode.ValidationFailed, `There is no model ${requested}; GET /api/v1/models lists them`, { field: 'model' });
    return model;
  }

  /** The uploads a message was sent with, those still there. */
  private async attachedTo(caller: Caller, message: MessageDto): Promise<UploadDto[]> {
    const ids = message.parts.flatMap((part) => (part.type === 'file' && part.uploadId ? [part.uploadId] : []));
    const found = await Promise.all(ids.map((id) => this.uploads.get({ ownerId: caller.userId, id }).catch(() => undefined)));
    return found.filter((upload) => upload !== undefined);
  }

  /** How the answer's model is chosen, as `messages.ask` takes it: the one asked for, else the conversation's while it is configured, else the default. */
  private modelChoice(requested: string | undefined): { model?: string; keepModels?: string[] } {
    if (requested !== undefined) return { model: requested };
    return { keepModels: this.models.list().map((model) => model.id), model: this.models.resolve(undefined)?.info.id };
  }

  /**
   * The checks of a post that need more than the write: the attachments must be the caller's
   * uploads, and a model asked for must exist. Judged in order, so that a conversation that is not
   * the caller's is a 404 whatever else is wrong. The attached uploads.
   */
  private async checked(caller: Caller, id: string, body: PostMessageBody): Promise<UploadDto[]> {
    const [, attached] = await settledInOrder(
      this.conversations.get({ ownerId: caller.userId, id }),
      Promise.all(
        (body.attachments ?? []).map((uploadId, index) =>
          this.uploads.get({ ownerId: caller.userId, id: uploadId }).catch((error: unknown) => {
            if (error instanceof AppError && error.code === ErrorCode.NotFound) throw new AppError(ErrorCode.ValidationFailed, `attachments[${index}] names no upload of yours`, { field: 'attachments' });
            throw error;
          }),
        ),
      ),
    );
    this.modelFor(body.model, null);
    return attached;
  }

  /**
   * What a turn needs besides the conversation, asked for as soon as the request is in, beside the
   * conversation's own reads and writes: the user's files (for the system prompt) and the tools the
   * user may call. The turn awaits them; a request that fails before it starts leaves them unused.
   */
  private turnNeeds(caller: Caller): Pick<Turn, 'files' | 'catalog'> {
    const files = this.uploads.list({ ownerId: caller.userId, limit: 100 }).then(({ items }) => items);
    const catalog = this.broker.rpc.send(McpBrokerContract.listTools, { userId: caller.userId });
    for (const pending of [files, catalog]) pending.catch(() => undefined);
    return { files, catalog };
  }

  /** Starts the turn that writes the answer (streaming, empty, under its question) and its log, whose `start` event is in once this resolves. */
  private async start(
    caller: Caller,
    request: Pick<Turn, 'files' | 'catalog' | 'attached'> & { conversationId: string; answer: MessageDto; branch: MessageDto[]; first: boolean },
  ): Promise<string> {
    const { conversationId, answer } = request;
    const model = answer.model === null ? undefined : this.models.resolve(answer.model);
    const turnId = randomUUID();
    // The runner starts beside the log's first write: its own events land after `start` all the same.
    const logged = this.events.append(turnId, { type: 'start', turnId, conversationId, messageId: answer.id, model: model?.info.id ?? null, ownerId: caller.userId });
    this.runner.start({
      turnId,
      ownerId: caller.userId,
      conversationId,
      messageId: answer.id,
      model,
      history: request.branch,
      files: request.files,
      catalog: request.catalog,
      attached: request.attached,
      titleFromModel: request.first,
      logged,
    });
    await logged;
    return turnId;
  }
}
