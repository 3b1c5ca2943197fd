import { chartOf, type McpToolInfo, type McpToolResult, tableOf } from '@dataflow/shared';
import { isReadOnly } from './turn-tools.js';

/** What direct mode works with: the user's tools, calls that go through the turn like a model's, and text for the answer. */
export interface DirectConsole {
  tools: McpToolInfo[];
  /** The user's uploads, newest first: a bare file name stands for the newest upload of that name. */
  files: { name: string; storagePath: string }[];
  /** Announced, approved when needed, run as the user, and reported with its table or chart. */
  call(qualifiedName: string, args: Record<string, unknown>): Promise<McpToolResult>;
  say(text: string): Promise<void>;
}

export const noModel = 'No model configured — direct mode.';

const configureModel =
  'An admin configures a model with OPENAI_API_KEY and OPENAI_MODEL (and OPENAI_BASE_URL for an OpenAI-compatible server such as Ollama or vLLM), with ANTHROPIC_API_KEY and ANTHROPIC_MODEL, or with a MODELS_FILE.';

/** One command of the console: how it is written, what it does, an example, and what it answers. */
interface Command {
  usage: string;
  does: string;
  example: string;
  /** The answer's text; the tool calls it makes report their own results, tables and charts. */
  run(argument: string, console: DirectConsole): Promise<string>;
}

const marks = ['bar', 'line', 'area', 'point', 'tick', 'arc'];
/** The chart tool's aggregates, by the names `/chart` takes for them. */
const aggregates = new Map([...['sum', 'mean', 'count', 'min', 'max', 'median'].map((name) => [name, name] as const), ['avg', 'mean']]);
/** A chart's column: an aggregate of a column (`sum(amount)`), a quoted name, or a word. */
const chartToken = /\w+\([^)]*\)|"[^"]*"|'[^']*'|\S+/g;
const maxEchoedChars = 4_000;

const commands = new Map<string, Command>([
  ['help', { usage: '/help', does: 'this list', example: '/help', run: async () => helpText() }],
  ['tools', { usage: '/tools', does: 'the tools you can call, by server', example: '/tools', run: async (_, console) => toolList(console.tools) }],
  [
    'sql',
    {
      usage: '/sql <query>',
      does: 'runs one SELECT over your datasets',
      example: '/sql SELECT region, sum(amount) FROM sales GROUP BY region',
      run: async (sql, console) => (sql ? callTool(console, 'data__query', { sql }, rowsSummary) : missing('sql', 'a query')),
    },
  ],
  [
    'describe',
    {
      usage: '/describe <file>',
      does: "a dataset's columns, their types and its row count",
      example: '/describe "my sales.csv"',
      run: async (file, console) => (file ? callTool(console, 'data__describe_dataset', { path: pathOf(file, console) }, describedDataset) : missing('describe', 'a file')),
    },
  ],
  [
    'profile',
    {
      usage: '/profile <file>',
      does: 'per column: nulls, distinct values, min, max and mean',
      example: '/profile sales.csv',
      run: async (file, console) => (file ? callTool(console, 'data__profile_dataset', { path: pathOf(file, console) }, profiledDataset) : missing('profile', 'a file')),
    },
  ],
  [
    'chart',
    {
      usage: '/chart <mark> <x> <y> from <file or SELECT>',
      does: `a chart: the mark is ${marks.join(', ')}; y is a column, or an aggregate such as sum(amount), mean(price) or count`,
      example: '/chart bar region sum(amount) from uploads/…/sales.csv',
      run: async (argument, console) => {
        const chart = chartArguments(argument, console);
        if (typeof chart === 'string') return chart;
        const charted = `${chart.aggregate && chart.y ? `${chart.aggregate}(${chart.y})` : (chart.aggregate ?? chart.y)} by ${chart.x}`;
        return callTool(console, 'data__chart', chart, (result) => chartSummary(result, charted));
      },
    },
  ],
  [
    'call',
    {
      usage: '/call <server>__<tool> {json}',
      does: 'any of your tools, with its arguments as a JSON object (none: {})',
      example: '/call data__list_datasets',
      run: async (argument, console) => {
        const [, name, json] = /^([^\s{]+)\s*([\s\S]*)$/.exec(argument) ?? [];
        if (!name) return missing('call', 'a tool name');
        const args = objectFrom(json!);
        return typeof args === 'string' ? args : callTool(console, name, args, (result) => resultText(name, result));
      },
    },
  ],
]);

/**
 * Answers a message without a model: a transparent tool console. A `/command` runs the tool it
 * names, and the answer says what came back; anything else explains direct mode. A tool's failure
 * is said, not thrown; only a cancelled turn rejects.
 */
export async function runDirectCommand(input: string, console: DirectConsole): Promise<void> {
  const [, name, argument] = /^\/(\S+)\s*([\s\S]*)$/.exec(input.trim()) ?? [];
  const command = name === undefined ? undefined : commands.get(name.toLowerCase());
  if (!command) {
    const unknown = name === undefined ? '' : `\`/${name}\` is not a command.\n\n`;
    await console.say(`${noModel}\n\n${unknown}${configureModel}\n\n${helpText()}`);
    return;
  }
  await console.say(await command.run(argument!.trim(), console));
}

function helpText(): string {
  const lines = [...commands.values()].map((command) => `- \`${command.usage}\`: ${command.does}. Example: \`${command.example}\``);
  return [
    'Direct mode runs your tools on command, and nothing else. The commands:',
    ...lines,
    '',
    'A file is its path in your data folder, as `/call data__list_datasets` shows it; quote it when it has spaces.',
  ].join('\n');
}

function missing(name: string, what: string): string {
  return `\`/${name}\` needs ${what}. Usage: \`${commands.get(name)!.usage}\``;
}

/** Calls a tool the user has, and describes what it answered; a failure is said plainly. */
async function callTool(console: DirectConsole, name: string, args: Record<string, unknown>, describe: (result: McpToolResult) => string): Promise<string> {
  if (!console.tools.some((tool) => tool.qualifiedName === name)) return `There is no tool \`${name}\` among your tools; \`/tools\` lists them.`;
  const result = await console.call(name, args);
  if (result.isError) return `The tool failed: ${textOf(result) || 'it gave no reason.'}`;
  return describe(result);
}

function toolList(tools: McpToolInfo[]): string {
  if (tools.length === 0) return 'You have no tools: no MCP server is available to you.';
  const byServer = new Map<string, McpToolInfo[]>();
  for (const tool of tools) byServer.set(tool.server, [...(byServer.get(tool.server) ?? []), tool]);
  const groups = [...byServer].map(([server, listed]) =>
    [`**${server}**`, ...listed.map((tool) => `- \`${tool.qualifiedName}\`${isReadOnly(tool) ? '' : ' (asks for approval)'}: ${firstSentence(tool.description ?? tool.title ?? '')}`)].join('\n'),
  );
  return [`Your tools (${tools.length}), by server:`, ...groups].join('\n\n');
}

const firstSentence = (text: string) => (/^[\s\S]*?[.!?](?=\s|$)/.exec(text.trim())?.[0] ?? text.trim()).replace(/\s+/g, ' ');

/** `"my file.csv"` → `my file.csv`; text without quotes around it stays as it is. */
const unquoted = (text: string) => /^(["'`])([\s\S]*)\1$/.exec(text.trim())?.[2] ?? text.trim();
/** A file as the data tools take it: a path in the data folder as given, or a bare upload name as that upload's path. */
const pathOf = (text: string, console: DirectConsole) => {
  const name = unquoted(text);
  return (!name.includes('/') && console.files.find((file) => file.name === name)?.storagePath) || name;
};

/** The chart tool's arguments (a type, not an interface, so that it is a plain record of arguments). */
type ChartArguments = { sql?: string; dataset?: string; mark: string; x: string; y?: string; aggregate?: string };

/** `/chart`'s words as the chart tool's arguments, or what is wrong with them. */
function chartArguments(argument: string, console: DirectConsole): ChartArguments | string {
  const [, head, source] = /^([\s\S]*?)\s+from\s+([\s\S]+)$/i.exec(argument.trim()) ?? [];
  if (!head || !source) return missing('chart', '`from` and a file or a SELECT to chart');
  const [mark, x, y, ...extra] = head.match(chartToken) ?? [];
  if (!mark || !x || !y) return missing('chart', 'a mark, an x column and a y column (or an aggregate such as count) before `from`');
  if (extra.length) return `\`/chart\` takes a mark, x and y before \`from\`; \`${extra.join(' ')}\` is more. Usage: \`${commands.get('chart')!.usage}\``;
  if (!marks.includes(mark.toLowerCase())) return `\`${mark}\` is not a mark; use ${marks.join(', ')}.`;
  const [, fn, column] = /^(\w+)\(([^)]*)\)$/.exec(y) ?? (y.toLowerCase() === 'count' ? [y, 'count', ''] : []);
  const aggregate = fn === undefined ? undefined : aggregates.get(fn.toLowerCase());
  if (fn !== undefined && !aggregate) return `\`${fn}\` is not an aggregate; use ${[...new Set(aggregates.values())].join(', ')}.`;
  const yColumn = aggregate ? unquoted(column!) : unquoted(y);
  const isSql = /^(select|with)\b/i.test(source.trim());
  return {
    ...(isSql ? { sql: source.trim() } : { dataset: pathOf(source, console) }),
    mark: mark.toLowerCase(),
    x: unquoted(x),
    ...(yColumn && yColumn !== '*' ? { y: yColumn } : {}),
    ...(aggregate ? { aggregate } : {}),
  };
}

/** The arguments of `/call`: a JSON object, none, or what is wrong with them. */
function objectFrom(json: string): Record<string, unknown> | string {
  if (!json.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return `The arguments are not valid JSON (${(error as Error).message}), so nothing was called. Usage: \`${commands.get('call')!.usage}\``;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  const kind = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`;
  return `The arguments must be a JSON object such as {"sql": "SELECT 1"}, not ${kind}, so nothing was called.`;
}

const count = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

function rowsSummary(result: McpToolResult): string {
  const table = tableOf(result);
  if (!table) return textOf(result);
  const total = table.rowCount ?? table.rows.length;
  return total > table.rows.length ? `${table.rows.length.toLocaleString('en-US')} of ${count(total, 'row')} shown.` : `${count(total, 'row')}.`;
}

/** `A bar chart of sum(amount) by region: 2 points.` */
function chartSummary(result: McpToolResult, charted?: string): string {
  const chart = chartOf(result);
  if (!chart) return textOf(result);
  const { points, truncated } = result.structuredContent as { points?: number; truncated?: boolean };
  const mark = (chart.spec.mark as { type?: string } | undefined)?.type;
  const what = `${mark ? `${/^[aeiou]/.test(mark) ? 'An' : 'A'} ${mark} chart` : 'A chart'}${charted ? ` of ${charted}` : ''}`;
  return `${what}: ${count(points ?? 0, 'point')}${truncated ? ' (capped; the data has more)' : ''}.`;
}

function describedDataset(result: McpToolResult): string {
  const described = result.structuredContent as { path?: string; format?: string; rowCount?: number; columns?: { name: string; type: string }[] } | undefined;
  if (!described?.columns || described.rowCount === undefined) return textOf(result);
  return [
    `**${described.path}** (${described.format}): ${count(described.rowCount, 'row')}, ${count(described.columns.length, 'column')}.`,
    '',
    '| column | type |',
    '| --- | --- |',
    ...described.columns.map((column) => `| ${cell(column.name)} | ${cell(column.type)} |`),
  ].join('\n');
}

interface ColumnProfile {
  name: string;
  type: string;
  nullCount: number;
  distinctCount: number;
  min?: unknown;
  max?: unknown;
  mean?: number | null;
}

function profiledDataset(result: McpToolResult): string {
  const profiled = result.structuredContent as { path?: string; rowCount?: number; columns?: ColumnProfile[] } | undefined;
  if (!profiled?.columns || profiled.rowCount === undefined) return textOf(result);
  return [
    `**${profiled.path}**: ${count(profiled.rowCount, 'row')}.`,
    '',
    '| column | type | nulls | distinct | min | max | mean |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...profiled.columns.map((column) => `| ${[column.name, column.type, column.nullCount, column.distinctCount, column.min, column.max, column.mean].map(cell).join(' | ')} |`),
  ].join('\n');
}

/** A value in a markdown table: numbers rounded, text cut short, nothing as a dash. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return value.toLocaleString('en-US', Math.abs(value) >= 1 || value === 0 ? { maximumFractionDigits: 2 } : { maximumSignificantDigits: 3 });
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  return short.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
}

/** What any tool answered: its table or chart in one line, else its text (JSON shown as JSON). */
function resultText(name: string, result: McpToolResult): string {
  if (tableOf(result)) return rowsSummary(result);
  if (chartOf(result)) return chartSummary(result);
  const text = textOf(result);
  if (!text) return `\`${name}\` answered with no text.`;
  let json: string | undefined;
  try {
    json = /^[[{]/.test(text) ? JSON.stringify(JSON.parse(text), null, 2) : undefined;
  } catch {
    json = undefined;
  }
  const shown = json ?? text;
  const cut = shown.length > maxEchoedChars ? `${shown.slice(0, maxEchoedChars)}\n… (${(shown.length - maxEchoedChars).toLocaleString('en-US')} more characters)` : shown;
  return json ? `\`${name}\` answered:\n\n\`\`\`json\n${cut}\n\`\`\`` : `\`${name}\` answered:\n\n${cut}`;
}

const textOf = (result: McpToolResult) =>
  result.content
    .flatMap((item) => (item.type === 'text' ? [String(item.text)] : []))
    .join('\n')
    .trim();
