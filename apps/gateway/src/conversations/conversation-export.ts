import type { ConversationDto, MessageDto, MessagePart } from '@dataflow/shared';

/** A conversation and all its messages, oldest first: what an export holds. */
export interface ConversationExport {
  conversation: ConversationDto;
  messages: MessageDto[];
  exportedAt: string;
}

/** A fenced block that its content cannot close: the fence is longer than any run of backticks inside. */
function fenced(content: string, language = ''): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${content}\n${fence}`;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2) ?? 'null';
const roleTitles: Record<MessageDto['role'], string> = { user: 'User', assistant: 'Assistant', system: 'System', tool: 'Tool' };

function partToMarkdown(part: MessagePart): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'tool_call':
      return `**Tool call** \`${part.tool}\`\n\n${fenced(pretty(part.arguments), 'json')}`;
    case 'tool_result':
      return `**${part.isError ? 'Tool error' : 'Tool result'}**\n\n${fenced(typeof part.content === 'string' ? part.content : pretty(part.content), typeof part.content === 'string' ? '' : 'json')}`;
    case 'chart':
      return `**Chart${part.title ? `: ${part.title}` : ''}** (Vega-Lite)\n\n${fenced(pretty(part.spec), 'json')}`;
    case 'file':
      return `**File**: ${part.name}${part.mediaType ? ` (${part.mediaType})` : ''}`;
    case 'error':
      return `> **Error** (${part.code}): ${part.message.replace(/\n/g, '\n> ')}`;
  }
}

/** The conversation as a Markdown document: a heading per message, text as written, tool calls, results and charts as fenced JSON. */
export function conversationToMarkdown({ conversation, messages, exportedAt }: ConversationExport): string {
  const lines = [`# ${conversation.title}`, '', `Exported from MCP DataFlow Chat on ${exportedAt}; ${messages.length} message(s).`];
  for (const message of messages) {
    const about = [roleTitles[message.role], message.model, message.createdAt, message.status === 'complete' ? undefined : message.status].filter(Boolean).join(' · ');
    lines.push('', '---', '', `### ${about}`);
    for (const part of message.parts) lines.push('', partToMarkdown(part));
  }
  return `${lines.join('\n')}\n`;
}

/** A file name for the download: the title's letters, digits and dashes (in any script), or `conversation`. */
export function exportFileName(conversation: ConversationDto, extension: string): string {
  const stem = conversation.title.normalize('NFC').replace(/[^\p{L}\p{N}_\- ]+/gu, '').trim().replace(/\s+/g, '-').slice(0, 80);
  return `${stem || 'conversation'}.${extension}`;
}
