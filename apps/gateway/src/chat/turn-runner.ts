import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { APICallError, dynamicTool, generateText, jsonSchema, type ModelMessage, RetryError, stepCountIs, streamText, type ToolSet } from 'ai';
import { AppError, type McpToolInfo, type McpToolResult, type MessageDto, messageText, type TurnEvent, type TurnEventLog, type UploadDto } from '@dataflow/shared';
import type { ConversationsClient } from '../conversations/conversations.client.js';
import type { McpBrokerClient } from '../mcp/mcp-broker.client.js';
import { ApprovalWaits } from './approvals.js';
import { runDirectCommand } from './direct-mode.js';
import { MessageWriter } from './message-writer.js';
import type { ConfiguredModel } from './models.js';
import { selectTools, systemPromptFor } from './turn-context.js';
import { TurnTools } from './turn-tools.js';

export interface TurnLimits {
  maxSteps: number;
  toolResultChars: number;
  maxTools: number;
}

export interface Turn {
  turnId: string;
  ownerId: string;
  conversationId: string;
  /** The assistant's message this turn writes. */
  messageId: string;
  /** None: direct mode. */
  model: ConfiguredModel | undefined;
  /** The branch being answered, from its first message to the user's new one. */
  history: MessageDto[];
  /** The user's uploads, newest first: the system prompt lists them, and direct mode takes their names for their paths. */
  files: Promise<UploadDto[]>;
  /** The uploads attached to the question, named first in the system prompt. */
  attached: UploadDto[];
  /** The tools the user may call (the turn offers the model those that fit its context). */
  catalog: Promise<McpToolInfo[]>;
  /** A new conversation is titled by the model once the first answer is in. */
  titleFromModel: boolean;
  /** The log's `start` event, written beside the turn: a turn that could not be logged has no watchers, and stops. */
  logged: Promise<unknown>;
  signal: AbortSignal;
}

const titlePrompt = 'Write a title of at most six words for a conversation that starts with the exchange below. Answer with the title only, without quotes.';

/** The model sees a tool's result up to this many characters; the client and the database get all of it. */
function forModel(result: McpToolResult, maxChars: number): string {
  const text = result.content.map((item) => (item.type === 'text' ? String(item.text) : JSON.stringify(item))).join('\n');
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters not shown)`;
}

/** The conversation as model messages: text only (earlier tool calls are summarised by the answers that used them). */
function toModelMessages(history: MessageDto[]): ModelMessage[] {
  return history.flatMap((message): ModelMessage[] => {
    const text = messageText(message.parts);
    if (!text) return [];
    if (message.role === 'user') return [{ role: 'user', content: text }];
    if (message.role === 'assistant') return [{ role: 'assistant', content: text }];
    return [];
  });
}

/** What a provider's failure is called in the `error` event, for the UI to explain. */
function providerError(failure: unknown): { code: string; message: string } {
  // After its retries the SDK reports the last attempt's failure inside a RetryError.
  const error = RetryError.isInstance(failure) ? failure.lastError : failure;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    // OpenAI says context_length_exceeded ("maximum context length"); Anthropic "prompt is too long"; compatible servers vary.
    const overflow = status === 400 && /context.length|context window|maximum context|too many tokens|prompt is too long/i.test(`${error.message} ${error.responseBody ?? ''}`);
    const code = overflow
      ? 'context_overflow'
      : status === 401 || status === 403
        ? 'provider_auth'
        : status === 429
          ? 'provider_rate_limited'
          : status === 404
            ? 'model_not_found'
            : status && status >= 500
              ? 'provider_unavailable'
              : 'provider_error';
    return { code, message: `The model provider answered ${status ?? 'with an error'}: ${error.message}` };
  }
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'provider_error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs one chat turn to its end, whether or not anyone watches: the model streams (through the
 * AI SDK, which runs the tool loop), each tool call goes to the broker as the user, every event
 * goes to the turn's log, and the answer is written to the database in batches. Without a model,
 * direct mode answers the same way. Cancels and approvals reach the runner through the log's
 * control channel, from whichever replica the user's request reached.
 */
export class TurnRunner {
  private readonly logger = new Logger('Turns');
  /** The turns this replica runs now, to cancel them. */
  private readonly running = new Map<string, { controller: AbortController; ended: Promise<void> }>();
  private readonly approvals: ApprovalWaits;

  constructor(
    private readonly conversations: ConversationsClient,
    private readonly broker: McpBrokerClient,
    private readonly events: TurnEventLog,
    private readonly limits: TurnLimits & { approvalTimeoutMs: number },
  ) {
    this.approvals = new ApprovalWaits(limits.approvalTimeoutMs);
    events.onControl((message) => {
      if (message.type === 'cancel') this.running.get(message.turnId)?.controller.abort(new Error('The user stopped the turn'));
      else this.approvals.decide(message.turnId, message.toolCallId, message.decision);
    });
  }

  /** Starts a turn and returns at once: the turn runs to its end on its own. */
  start(turn: Omit<Turn, 'signal'>): void {
    const controller = new AbortController();
    turn.logged.catch((error: unknown) => controller.abort(error));
    const ended = this.run({ ...turn, signal: controller.signal })
      .catch((error: unknown) => this.logger.error({ err: error, turnId: turn.turnId }, 'turn failed'))
      .finally(() => this.running.delete(turn.turnId));
    this.running.set(turn.turnId, { controller, ended });
  }

  /** Stops every turn (shutdown) and waits, a few seconds at most, for what they produced to be saved as cancelled. */
  async cancelAll(): Promise<void> {
    const ending = [...this.running.values()].map(({ controller, ended }) => (controller.abort(new Error('The gateway is shutting down')), ended));
    await Promise.race([Promise.allSettled(ending), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  }

  async run(turn: Turn): Promise<void> {
    const started = performance.now();
    // A turn's appends land in call order, so none need be awaited: once `done` is in, so is every event before it.
    const emit = (event: TurnEvent) => {
      const appended = this.events.append(turn.turnId, event);
      appended.catch((error: unknown) => this.logger.error({ err: error, turnId: turn.turnId }, 'a turn event was not logged'));
      return appended;
    };
    const writer = new MessageWriter(this.conversations, { ownerId: turn.ownerId, conversationId: turn.conversationId, id: turn.messageId });
    const say = async (text: string) => {
      writer.appendText(text);
      void emit({ type: 'text-delta', text });
    };
    let firstTokenMs: number | undefined;
    let usage: { inputTokens: number; outputTokens: number } | undefined;
    let status: 'complete' | 'error' | 'cancelled' = 'complete';
    const question = turn.history.at(-1)!;
    try {
      const wantsTools = !turn.model || turn.model.info.tools;
      const [files, catalog] = await Promise.all([turn.files, wantsTools ? turn.catalog : []]);
      const tools = new TurnTools(
        { broker: this.broker, conversations: this.conversations, approvals: this.approvals },
        { turnId: turn.turnId, ownerId: turn.ownerId, conversationId: turn.conversationId, signal: turn.signal, catalog, emit, writer },
      );
      if (!turn.model) {
        let calls = 0;
        await runDirectCommand(messageText(question.parts), { tools: catalog, files, say, call: (name, args) => tools.call(name, args, `direct_${++calls}`) });
        return;
      }
      const offered = selectTools(catalog, messageText(question.parts), this.limits.maxTools);
      const result = streamText({
        model: turn.model.language,
        system: systemPromptFor(files, turn.attached),
        messages: toModelMessages(turn.history),
        tools: this.toolSet(offered, tools),
        stopWhen: stepCountIs(this.limits.maxSteps),
        abortSignal: turn.signal,
        maxRetries: 1,
      });
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            firstTokenMs ??= Math.round(performance.now() - started);
            await say(part.text);
            break;
          case 'tool-call':
            // A call the SDK could not parse never reaches execute: it is reported here, and the model reads the error next step.
            if (part.invalid) tools.reportInvalid(part.toolCallId, part.toolName, part.input, part.error);
            break;
          case 'finish':
            usage = { inputTokens: part.totalUsage.inputTokens ?? 0, outputTokens: part.totalUsage.outputTokens ?? 0 };
            void emit({ type: 'usage', ...usage });
            break;
          case 'abort':
            status = 'cancelled';
            break;
          case 'error': {
            if (turn.signal.aborted) break;
            status = 'error';
            const problem = providerError(part.error);
            writer.add({ type: 'error', ...problem });
            await emit({ type: 'error', ...problem });
            break;
          }
          default:
            break;
        }
      }
    } catch (error) {
      status = turn.signal.aborted ? 'cancelled' : 'error';
      if (status === 'error') {
        const problem = providerError(error);
        writer.add({ type: 'error', ...problem });
        await emit({ type: 'error', ...problem });
      }
    } finally {
      if (turn.signal.aborted) status = 'cancelled';
      await writer.finish(status, { usage, timing: { firstTokenMs, durationMs: Math.round(performance.now() - started) } }).catch(() => undefined);
      if (status === 'complete' && turn.model && turn.titleFromModel) await this.title(turn, writer.text);
      await emit({ type: 'done', status, messageId: turn.messageId });
    }
  }

  /** Titles a new conversation from its first exchange; the title from the first line stays if the model cannot. */
  private async title(turn: Turn, answer: string): Promise<void> {
    try {
      const { text } = await generateText({
        model: turn.model!.language,
        system: titlePrompt,
        prompt: `User: ${messageText(turn.history.at(-1)!.parts).slice(0, 2_000)}\n\nAssistant: ${answer.slice(0, 2_000)}`,
        maxOutputTokens: 30,
        maxRetries: 0,
        abortSignal: AbortSignal.timeout(10_000),
      });
      const title = text.trim().split('\n')[0]!.replace(/^["'“”«]+|["'“”»]+$/g, '').replace(/\.$/, '').trim().slice(0, 80);
      if (title) await this.conversations.update({ ownerId: turn.ownerId, id: turn.conversationId, title });
    } catch (error) {
      this.logger.warn({ err: error, turnId: turn.turnId }, 'the model could not title the conversation');
    }
  }

  /** The offered tools as AI SDK tools: each call goes through the turn's tools, and the model reads its result trimmed. */
  private toolSet(offered: McpToolInfo[], tools: TurnTools): ToolSet {
    const set: ToolSet = {};
    for (const info of offered) {
      set[info.qualifiedName] = dynamicTool({
        description: info.description ?? info.title ?? info.name,
        inputSchema: jsonSchema(info.inputSchema as Parameters<typeof jsonSchema>[0]),
        execute: async (input, { toolCallId, abortSignal }) => {
          const result = await tools.call(info.qualifiedName, (input ?? {}) as Record<string, unknown>, toolCallId, abortSignal);
          const text = forModel(result, this.limits.toolResultChars);
          return result.isError ? `The tool failed: ${text}` : text;
        },
      });
    }
    return set;
  }
}
