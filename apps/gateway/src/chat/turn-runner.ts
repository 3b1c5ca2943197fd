import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { APICallError, dynamicTool, RetryError, jsonSchema, type ModelMessage, stepCountIs, streamText, type ToolSet } from 'ai';
import { AppError, type McpToolInfo, type McpToolResult, McpBrokerContract, type MessageDto, type TurnEvent, type TurnEventLog } from '@dataflow/shared';
import type { ConversationsClient } from '../conversations/conversations.client.js';
import type { McpBrokerClient } from '../mcp/mcp-broker.client.js';
import { MessageWriter } from './message-writer.js';
import type { ConfiguredModel } from './models.js';

export interface TurnLimits {
  maxSteps: number;
  toolResultChars: number;
}

/** How a turn without a model answers, until direct mode's commands arrive. */
const directModeText = [
  'No model configured — direct mode.',
  'An admin can configure one (OPENAI_API_KEY and OPENAI_MODEL, OPENAI_BASE_URL for a compatible server, ANTHROPIC_API_KEY and ANTHROPIC_MODEL, or MODELS_FILE).',
].join(' ');

export interface Turn {
  turnId: string;
  ownerId: string;
  conversationId: string;
  /** The assistant's message this turn writes. */
  messageId: string;
  /** None: direct mode. */
  model: ConfiguredModel | undefined;
  /** The conversation so far, the user's new message last. */
  history: MessageDto[];
  signal: AbortSignal;
}

const systemPrompt = [
  'You are MCP DataFlow Chat, an analyst that answers questions about the user\'s own data files.',
  'Use the tools to look at the data (list and describe the files, then query them) before you answer; never invent numbers.',
  'Answer briefly, with the figures that matter; say which file and query they come from.',
].join(' ');

/** The model sees a tool's result up to this many characters; the client and the database get all of it. */
function forModel(result: McpToolResult, maxChars: number): string {
  const text = result.content.map((item) => (item.type === 'text' ? String(item.text) : JSON.stringify(item))).join('\n');
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters not shown)`;
}

/** The conversation as model messages: text only (earlier tool calls are summarised by the answers that used them). */
function toModelMessages(history: MessageDto[]): ModelMessage[] {
  return history.flatMap((message): ModelMessage[] => {
    const text = message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');
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
    const code = status === 401 || status === 403 ? 'provider_auth' : status === 429 ? 'provider_rate_limited' : status === 404 ? 'model_not_found' : status && status >= 500 ? 'provider_unavailable' : 'provider_error';
    return { code, message: `The model provider answered ${status ?? 'with an error'}: ${error.message}` };
  }
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'provider_error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs one chat turn to its end, whether or not anyone watches: the model streams (through the
 * AI SDK, which runs the tool loop), each tool call goes to the broker as the user, every event
 * goes to the turn's log, and the answer is written to the database in batches.
 */
export class TurnRunner {
  private readonly logger = new Logger('Turns');
  /** The turns this replica runs now, to cancel them. */
  private readonly running = new Map<string, { controller: AbortController; ended: Promise<void> }>();

  constructor(
    private readonly conversations: ConversationsClient,
    private readonly broker: McpBrokerClient,
    private readonly events: TurnEventLog,
    private readonly limits: TurnLimits,
  ) {}

  /** Starts a turn and returns at once: the turn runs to its end on its own. */
  start(turn: Omit<Turn, 'signal'>): void {
    const controller = new AbortController();
    const ended = this.run({ ...turn, signal: controller.signal })
      .catch((error: unknown) => this.logger.error({ err: error, turnId: turn.turnId }, 'turn failed'))
      .finally(() => this.running.delete(turn.turnId));
    this.running.set(turn.turnId, { controller, ended });
  }

  /** Stops a turn this replica runs; false when it runs elsewhere or has ended. */
  cancel(turnId: string): boolean {
    const running = this.running.get(turnId);
    running?.controller.abort();
    return running !== undefined;
  }

  /** Stops every turn (shutdown) and waits, a few seconds at most, for what they produced to be saved as cancelled. */
  async cancelAll(): Promise<void> {
    const ending = [...this.running.values()].map(({ controller, ended }) => (controller.abort(), ended));
    await Promise.race([Promise.allSettled(ending), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  }

  async run(turn: Turn): Promise<void> {
    const started = performance.now();
    const emit = (event: TurnEvent) => this.events.append(turn.turnId, event);
    const writer = new MessageWriter(this.conversations, { ownerId: turn.ownerId, conversationId: turn.conversationId, id: turn.messageId });
    let firstTokenMs: number | undefined;
    let usage: { inputTokens: number; outputTokens: number } | undefined;
    let status: 'complete' | 'error' | 'cancelled' = 'complete';
    try {
      if (!turn.model) {
        writer.appendText(directModeText);
        await emit({ type: 'text-delta', text: directModeText });
        return;
      }
      const catalog = turn.model.info.tools ? await this.broker.rpc.send(McpBrokerContract.listTools, { userId: turn.ownerId }) : [];
      const result = streamText({
        model: turn.model.language,
        system: systemPrompt,
        messages: toModelMessages(turn.history),
        tools: this.toolSet(turn, catalog, emit, writer),
        stopWhen: stepCountIs(this.limits.maxSteps),
        abortSignal: turn.signal,
        maxRetries: 1,
      });
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            firstTokenMs ??= Math.round(performance.now() - started);
            writer.appendText(part.text);
            await emit({ type: 'text-delta', text: part.text });
            break;
          case 'tool-call': {
            const tool = catalog.find((entry) => entry.qualifiedName === part.toolName);
            writer.add({ type: 'tool_call', callId: part.toolCallId, tool: part.toolName, arguments: (part.input ?? {}) as Record<string, unknown> });
            await emit({ type: 'tool-call', toolCallId: part.toolCallId, server: tool?.server ?? '', tool: tool?.name ?? part.toolName, arguments: part.input });
            break;
          }
          case 'finish':
            usage = { inputTokens: part.totalUsage.inputTokens ?? 0, outputTokens: part.totalUsage.outputTokens ?? 0 };
            await emit({ type: 'usage', ...usage });
            break;
          case 'abort':
            status = 'cancelled';
            break;
          case 'error': {
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
      await emit({ type: 'done', status, messageId: turn.messageId });
    }
  }

  /** The broker's tools as AI SDK tools: each call goes to the broker as the turn's user, and its whole result to the client. */
  private toolSet(turn: Turn, catalog: McpToolInfo[], emit: (event: TurnEvent) => Promise<string>, writer: MessageWriter): ToolSet {
    const tools: ToolSet = {};
    for (const info of catalog) {
      tools[info.qualifiedName] = dynamicTool({
        description: info.description ?? info.title ?? info.name,
        inputSchema: jsonSchema(info.inputSchema as Parameters<typeof jsonSchema>[0]),
        execute: async (input, { toolCallId, abortSignal }) => {
          const started = performance.now();
          let result: McpToolResult;
          try {
            result = await this.broker.callTool(
              { qualifiedName: info.qualifiedName, arguments: (input ?? {}) as Record<string, unknown>, userId: turn.ownerId },
              { signal: abortSignal, onProgress: ({ progress, total, message }) => void emit({ type: 'tool-progress', toolCallId, progress, total, message }) },
            );
          } catch (error) {
            if (abortSignal?.aborted) throw error;
            // The model reads the failure and can try again differently.
            result = { content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }], isError: true };
          }
          const durationMs = Math.round(performance.now() - started);
          writer.add({ type: 'tool_result', callId: toolCallId, isError: result.isError === true, content: result });
          await emit({ type: 'tool-result', toolCallId, result, isError: result.isError === true, durationMs, cached: false });
          return result.isError ? `The tool failed: ${forModel(result, this.limits.toolResultChars)}` : forModel(result, this.limits.toolResultChars);
        },
      });
    }
    return tools;
  }
}
