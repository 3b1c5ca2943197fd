/**
 * What a message is made of. Plain types and functions only (no decorators, no Node): the web
 * app imports this file too.
 */

export const messageRoles = ['user', 'assistant', 'system', 'tool'] as const;
export type MessageRole = (typeof messageRoles)[number];

/** `streaming` while the answer is still being written (in batches); then how it ended. */
export const messageStatuses = ['streaming', 'complete', 'error', 'cancelled'] as const;
export type MessageStatus = (typeof messageStatuses)[number];

/** What a message is made of, in order. */
export type MessagePart =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; callId: string; tool: string; arguments: Record<string, unknown> }
  | { type: 'tool_result'; callId: string; isError: boolean; content: unknown }
  | { type: 'chart'; spec: Record<string, unknown>; title?: string }
  | { type: 'file'; name: string; uploadId?: string; mediaType?: string }
  | { type: 'error'; code: string; message: string };
export type MessagePartType = MessagePart['type'];

/** A message's text: its text parts, a blank line between them (a tool call splits an answer's text in two). */
export const messageText = (parts: MessagePart[]) => parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown, max: number) => typeof value === 'string' && value.length <= max;

/** The first thing wrong with a list of parts, or undefined when every part is well formed. */
export function messagePartsProblem(parts: unknown): string | undefined {
  if (!Array.isArray(parts)) return 'parts must be an array';
  if (parts.length > 1_000) return 'a message has at most 1000 parts';
  for (const [index, part] of parts.entries()) {
    const where = `parts[${index}]`;
    if (!isRecord(part)) return `${where} must be an object`;
    switch (part['type']) {
      case 'text':
        if (!isText(part['text'], 1_000_000)) return `${where}.text must be a string of at most 1,000,000 characters`;
        break;
      case 'tool_call':
        if (!isText(part['callId'], 200) || !isText(part['tool'], 300) || !isRecord(part['arguments'])) return `${where} needs callId, tool and an arguments object`;
        break;
      case 'tool_result':
        if (!isText(part['callId'], 200) || typeof part['isError'] !== 'boolean' || !('content' in part)) return `${where} needs callId, isError and content`;
        break;
      case 'chart':
        if (!isRecord(part['spec']) || (part['title'] !== undefined && !isText(part['title'], 300))) return `${where} needs a spec object`;
        break;
      case 'file':
        if (!isText(part['name'], 255) || (part['uploadId'] !== undefined && !isText(part['uploadId'], 36))) return `${where} needs a name`;
        break;
      case 'error':
        if (!isText(part['code'], 100) || !isText(part['message'], 10_000)) return `${where} needs code and message`;
        break;
      default:
        return `${where}.type must be one of text, tool_call, tool_result, chart, file, error`;
    }
  }
  return undefined;
}

