import { chartOf, type McpToolResult, splitQualifiedName, tableOf } from '@dataflow/shared/browser';
import type { MessagePart, ResultTable, TurnEvent } from './chat.model';

/** A tool call as the chat shows it: a card that follows the call from its start to its result. */
export interface ToolCall {
  readonly kind: 'tool';
  readonly id: string;
  readonly server: string;
  readonly tool: string;
  readonly arguments: unknown;
  /** `running` until the result; `approval` while the turn waits for the user's answer. */
  readonly state: 'running' | 'approval' | 'done' | 'failed';
  /** When the call started, in this page's clock (`Date.now()`), for the elapsed time; null for a saved call. */
  readonly startedAt: number | null;
  readonly progress?: { readonly share: number | null; readonly message?: string };
  readonly durationMs?: number;
  readonly cached?: boolean;
  readonly result?: unknown;
  readonly table?: ResultTable;
  readonly chart?: { readonly spec: Record<string, unknown>; readonly title?: string };
}

export type AnswerBlock = { readonly kind: 'text'; readonly text: string } | ToolCall | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** An answer as the chat shows it: text, tool cards and errors in the order they came. */
export interface Answer {
  readonly blocks: readonly AnswerBlock[];
  readonly status: 'streaming' | 'complete' | 'error' | 'cancelled';
}

export const emptyAnswer: Answer = { blocks: [], status: 'streaming' };

/** `server__tool` → its server and tool (a name that is not qualified is a tool of no known server). */
function splitQualified(qualified: string): { server: string; tool: string } {
  const { server, name } = splitQualifiedName(qualified) ?? { server: '', name: qualified };
  return { server, tool: name };
}

const isToolResult = (value: unknown): value is McpToolResult => typeof value === 'object' && value !== null && Array.isArray((value as McpToolResult).content);

/** A saved answer's parts as blocks: its tool calls with their results, tables and charts as the stream showed them. */
export function answerOfParts(parts: readonly MessagePart[], status: Answer['status']): Answer {
  let answer: Answer = { blocks: [], status };
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        answer = appendText(answer, part.text);
        break;
      case 'tool_call':
        answer = { ...answer, blocks: [...answer.blocks, { kind: 'tool', id: part.callId, ...splitQualified(part.tool), arguments: part.arguments, state: 'running', startedAt: null }] };
        break;
      case 'tool_result': {
        const result = isToolResult(part.content) ? part.content : undefined;
        const table = result && tableOf(result);
        const chart = result && chartOf(result);
        answer = updateTool(answer, part.callId, () => ({ state: part.isError ? 'failed' : 'done', result: part.content, ...(table ? { table } : {}), ...(chart ? { chart } : {}) }));
        break;
      }
      case 'error':
        answer = { ...answer, blocks: [...answer.blocks, { kind: 'error', code: part.code, message: part.message }] };
        break;
      default:
        break;
    }
  }
  // A saved answer that ended without a call's result (stopped, say) has no call still running.
  return status === 'streaming' ? answer : settle(answer);
}

/** The answer after one more event of its turn's stream. `now` is the page's clock, for a call's elapsed time. */
export function applyTurnEvent(answer: Answer, event: TurnEvent, now: number): Answer {
  switch (event.type) {
    case 'text-delta':
      return appendText(answer, event.text);
    case 'tool-call':
      if (answer.blocks.some((block) => block.kind === 'tool' && block.id === event.toolCallId)) return answer;
      return { ...answer, blocks: [...answer.blocks, { kind: 'tool', id: event.toolCallId, server: event.server, tool: event.tool, arguments: event.arguments, state: 'running', startedAt: now }] };
    case 'tool-progress':
      return updateTool(answer, event.toolCallId, () => ({ state: 'running', progress: { share: event.total ? Math.min(1, event.progress / event.total) : null, ...(event.message ? { message: event.message } : {}) } }));
    case 'approval-required':
      return updateTool(answer, event.toolCallId, () => ({ state: 'approval' }));
    case 'tool-result':
      return updateTool(answer, event.toolCallId, () => ({ state: event.isError ? 'failed' : 'done', result: event.result, durationMs: event.durationMs, cached: event.cached }));
    case 'table': {
      const { type: _type, toolCallId, ...table } = event;
      return updateTool(answer, toolCallId, () => ({ table }));
    }
    case 'chart':
      return updateTool(answer, event.toolCallId, () => ({ chart: { spec: event.spec, ...(event.title ? { title: event.title } : {}) } }));
    case 'error':
      return { ...answer, blocks: [...answer.blocks, { kind: 'error', code: event.code, message: event.message }] };
    case 'done':
      return settle({ ...answer, status: event.status });
    default:
      return answer;
  }
}

function appendText(answer: Answer, text: string): Answer {
  const last = answer.blocks.at(-1);
  if (last?.kind === 'text') return { ...answer, blocks: [...answer.blocks.slice(0, -1), { kind: 'text', text: last.text + text }] };
  return { ...answer, blocks: [...answer.blocks, { kind: 'text', text }] };
}

function updateTool(answer: Answer, id: string, change: (call: ToolCall) => Partial<ToolCall>): Answer {
  return { ...answer, blocks: answer.blocks.map((block) => (block.kind === 'tool' && block.id === id ? { ...block, ...change(block) } : block)) };
}

/** Calls still running or waiting when the answer ended did not finish: they show as stopped. */
function settle(answer: Answer): Answer {
  return { ...answer, blocks: answer.blocks.map((block) => (block.kind === 'tool' && (block.state === 'running' || block.state === 'approval') ? { ...block, state: 'failed' } : block)) };
}

/** What went wrong, in words a person can act on; the provider's own words only where they help. */
export function errorInWords(code: string, message: string): string {
  switch (code) {
    case 'provider_auth':
      return 'The model provider refused this instance’s API key. An admin needs to check the key.';
    case 'provider_rate_limited':
      return 'The model provider is limiting how many requests it takes. Wait a moment, then retry.';
    case 'model_not_found':
      return 'The model provider does not know this model. Choose another model, or ask an admin to check the configuration.';
    case 'context_overflow':
      return 'This conversation has grown too long for the model. Start a new chat, or edit an earlier message to make it shorter.';
    case 'provider_unavailable':
      return 'The model provider is not answering just now. Retry in a moment.';
    case 'provider_error':
      return `The model provider failed: ${message}`;
    default:
      return message;
  }
}

/** A tool result's text content, for a result that is neither a table nor a chart (or that failed). */
export function resultText(result: unknown): string {
  if (!isToolResult(result)) return typeof result === 'string' ? result : JSON.stringify(result, null, 2);
  const texts = result.content.flatMap((item) => (item['type'] === 'text' && typeof item['text'] === 'string' ? [item['text']] : []));
  if (texts.length) return texts.join('\n');
  return result.structuredContent ? JSON.stringify(result.structuredContent, null, 2) : '';
}
