import type { McpToolInfo, UploadDto } from '@dataflow/shared';

/** Words too common to say what a question is about. */
const stopWords = new Set(['the', 'and', 'for', 'with', 'from', 'that', 'this', 'what', 'which', 'about', 'into', 'over', 'are', 'was', 'how', 'all', 'any', 'can', 'you', 'please', 'show', 'give', 'tell']);
const wordsOf = (text: string) => new Set((text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((word) => !stopWords.has(word)));

/**
 * At most `max` tools for a turn. A catalog that fits is offered whole; a larger one would cost
 * the model its context (292 tools can take 150k tokens), so it is narrowed to the tools whose
 * server, name and description share the most words with the question, catalog order breaking
 * ties (the built-in data servers come first in the catalog).
 */
export function selectTools(catalog: McpToolInfo[], question: string, max: number): McpToolInfo[] {
  if (catalog.length <= max) return catalog;
  const asked = wordsOf(question);
  const score = (tool: McpToolInfo) => {
    const words = wordsOf(`${tool.server} ${tool.name.replaceAll('_', ' ')} ${tool.title ?? ''} ${tool.description ?? ''}`);
    let shared = 0;
    for (const word of asked) if (words.has(word)) shared += 1;
    return shared;
  };
  return catalog
    .map((tool, index) => ({ tool, index, score: score(tool) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, max)
    .sort((a, b) => a.index - b.index)
    .map(({ tool }) => tool);
}

const sizeOf = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);

/** The most files the system prompt lists. */
const listedFiles = 50;

/** What the model is told: its job, and the files of this user (the attached ones named first), as the data tools take their paths. */
export function systemPromptFor(files: UploadDto[], attached: UploadDto[]): string {
  const lines = [
    "You are MCP DataFlow Chat, an analyst that answers questions about the user's own data files.",
    'Use the tools to look at the data (list and describe the files, then query them) before you answer; never invent numbers.',
    'Answer briefly, with the figures that matter; say which file and query they come from. A chart tool draws charts; a table from a query is shown to the user as it is, so do not repeat its rows.',
  ];
  const describe = (file: UploadDto) => `- ${file.storagePath} (${file.kind}, ${sizeOf(file.size)})`;
  if (attached.length) lines.push('', 'The user attached these files to the message; the question is most likely about them:', ...attached.map(describe));
  const others = files.filter((file) => !attached.some((one) => one.id === file.id));
  if (others.length) {
    lines.push('', `The user's ${attached.length ? 'other ' : ''}files (paths relative to their data folder, newest first):`, ...others.slice(0, listedFiles).map(describe));
    if (others.length > listedFiles) lines.push(`- … and ${others.length - listedFiles} more (list_datasets shows all).`);
  } else if (!attached.length) lines.push('', 'The user has not uploaded any files yet; say so if the question needs data.');
  return lines.join('\n');
}
