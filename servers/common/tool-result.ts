import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool's answer: the structured result, and the same as JSON text for clients that read only text. */
export function resultOf(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/** An error the model can read and correct: an `isError` result, never a crash. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a tool's work; what it throws becomes an `isError` result in the words `describe` gives. */
export async function guarded(work: () => CallToolResult | Promise<CallToolResult>, describe: (error: unknown) => string): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return errorResult(describe(error));
  }
}
