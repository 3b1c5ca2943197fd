import { performance } from 'node:perf_hooks';
import { chartOf, type McpToolInfo, type McpToolResult, tableOf, type TurnEvent } from '@dataflow/shared';
import type { ConversationsClient } from '../conversations/conversations.client.js';
import type { McpBrokerClient, ToolCallOutcome } from '../mcp/mcp-broker.client.js';
import type { ApprovalWaits } from './approvals.js';
import type { MessageWriter } from './message-writer.js';

export interface TurnToolsContext {
  turnId: string;
  ownerId: string;
  conversationId: string;
  /** Aborted when the turn is cancelled. */
  signal: AbortSignal;
  /** The tools this turn may call. */
  catalog: McpToolInfo[];
  /** Appends an event to the turn's log. Appends land in call order whether awaited or not: once the turn's `done` is in, so is every event before it. */
  emit: (event: TurnEvent) => Promise<string>;
  writer: MessageWriter;
}

export interface TurnToolsDeps {
  broker: McpBrokerClient;
  conversations: ConversationsClient;
  approvals: ApprovalWaits;
}

const failed = (text: string): McpToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** Whether a tool may run without asking: MCP's `readOnlyHint` says it changes nothing. */
export const isReadOnly = (tool: McpToolInfo) => tool.annotations?.readOnlyHint === true;

/**
 * A turn's tool calls, the same for the model's and for direct mode's: each is announced, waits
 * for the user's approval when the tool may change something (unless the user allowed it before),
 * goes to the broker as the turn's user, and reports its whole result, with the table or chart it
 * holds, to the watchers and the saved answer.
 */
export class TurnTools {
  constructor(
    private readonly deps: TurnToolsDeps,
    private readonly turn: TurnToolsContext,
  ) {}

  get catalog(): McpToolInfo[] {
    return this.turn.catalog;
  }

  /** Resolves with the tool's result; a failure is an `isError` result. Rejects only when the turn is cancelled. */
  async call(qualifiedName: string, args: Record<string, unknown>, toolCallId: string, signal: AbortSignal = this.turn.signal): Promise<McpToolResult> {
    const tool = this.announce(toolCallId, qualifiedName, args, args);
    if (!tool) return this.report(toolCallId, failed(`There is no tool "${qualifiedName}". The tools: ${this.turn.catalog.map((entry) => entry.qualifiedName).join(', ')}.`), 0, false);
    const refusal = await this.approval(tool, args, toolCallId, signal);
    if (refusal) return this.report(toolCallId, failed(refusal), 0, false);
    const started = performance.now();
    let outcome: ToolCallOutcome;
    try {
      outcome = await this.deps.broker.call(
        { qualifiedName, arguments: args, userId: this.turn.ownerId },
        { signal, onProgress: ({ progress, total, message }) => void this.turn.emit({ type: 'tool-progress', toolCallId, progress, total, message }) },
      );
    } catch (error) {
      if (signal.aborted) throw error;
      outcome = { result: failed(error instanceof Error ? error.message : String(error)), cached: false };
    }
    return this.report(toolCallId, outcome.result, Math.round(performance.now() - started), outcome.cached, outcome.serverMs);
  }

  /** A call the model made that could not be parsed (unknown tool, arguments that are not JSON): shown, kept, and never run. */
  reportInvalid(toolCallId: string, qualifiedName: string, input: unknown, error: unknown): void {
    const args = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : { input };
    this.announce(toolCallId, qualifiedName, args, input);
    this.report(toolCallId, failed(`The call could not be made: ${error instanceof Error ? error.message : String(error)}`), 0, false);
  }

  /** Waits for the user when the tool needs approval; the reason to refuse the call, or undefined to go on. */
  private async approval(tool: McpToolInfo, args: Record<string, unknown>, toolCallId: string, signal: AbortSignal): Promise<string | undefined> {
    if (isReadOnly(tool)) return undefined;
    const { turnId, ownerId, conversationId } = this.turn;
    const grants = await this.deps.conversations.listToolGrants({ ownerId, conversationId });
    if (grants.some((grant) => grant.tool === tool.qualifiedName)) return undefined;
    await this.turn.emit({ type: 'approval-required', toolCallId, server: tool.server, tool: tool.name, arguments: args });
    const decision = await this.deps.approvals.wait(turnId, toolCallId, signal);
    if (decision === 'approve') return undefined;
    if (decision === 'deny') return 'The user denied this call, so it did not run.';
    return `No one approved this call within ${Math.round(this.deps.approvals.timeoutMs / 60_000)} minutes, so it did not run.`;
  }

  /** A call, kept in the answer (`saved`, an arguments object) and shown to the watchers (`shown`, as the model sent them); the tool, when the catalog has it. */
  private announce(toolCallId: string, qualifiedName: string, saved: Record<string, unknown>, shown: unknown): McpToolInfo | undefined {
    const tool = this.turn.catalog.find((entry) => entry.qualifiedName === qualifiedName);
    this.turn.writer.add({ type: 'tool_call', callId: toolCallId, tool: qualifiedName, arguments: saved });
    void this.turn.emit({ type: 'tool-call', toolCallId, server: tool?.server ?? '', tool: tool?.name ?? qualifiedName, arguments: shown });
    return tool;
  }

  private report(toolCallId: string, result: McpToolResult, durationMs: number, cached: boolean, serverMs?: number): McpToolResult {
    const { emit, writer } = this.turn;
    const isError = result.isError === true;
    writer.add({ type: 'tool_result', callId: toolCallId, isError, content: result });
    void emit({ type: 'tool-result', toolCallId, result, isError, durationMs, ...(serverMs === undefined ? {} : { serverMs }), cached });
    const table = tableOf(result);
    if (table) void emit({ type: 'table', toolCallId, ...table });
    const chart = chartOf(result);
    if (chart) void emit({ type: 'chart', toolCallId, ...chart });
    return result;
  }
}
