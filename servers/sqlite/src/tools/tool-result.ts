import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RefusedStatement } from '../database.js';

/** A tool's answer: the structured result, and the same as JSON text for clients that read only text. */
export function resultOf(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/** A refused or failed statement is a tool error the model can read and correct, never a crash. */
export function failureOf(error: unknown): CallToolResult {
  const message = error instanceof RefusedStatement ? error.message : `SQLite error: ${error instanceof Error ? error.message : String(error)}`;
  return { content: [{ type: 'text', text: message }], isError: true };
}

export async function guarded(work: () => CallToolResult | Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return failureOf(error);
  }
}
