import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { McpToolInfo, McpToolResult, MessageDto, UploadDto } from '@dataflow/shared';
import { DistributedPlatform } from './distributed-platform.js';
import { multipart, multipartType } from './multipart.js';
import { chatClient, type StreamedEvent, textOf, typesOf } from './turns.js';

const noModel = 'No model configured — direct mode.';
const usages = ['/help', '/tools', '/sql <query>', '/describe <file>', '/profile <file>', '/chart <mark> <x> <y> from <file or SELECT>', '/call <server>__<tool> {json}'];

describe('direct mode: the chat as a tool console when no model is configured (distributed)', () => {
  let platform: DistributedPlatform;
  let scratch: string;
  /** The uploaded CSV: its path in the user's data folder (with a space in it) and its view in SQL. */
  let sales: { path: string; view: string };
  let userFolder: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'dataflow-direct-'));
    // Whatever the machine's environment configures, no model: direct mode.
    const noModels = { OPENAI_API_KEY: undefined, OPENAI_MODEL: undefined, OPENAI_BASE_URL: undefined, ANTHROPIC_API_KEY: undefined, ANTHROPIC_MODEL: undefined, MODELS_FILE: undefined };
    platform = new DistributedPlatform({ env: { ...noModels, MCP_CONFIG: 'test/fixtures/mcp-uploads.json', USER_DATA_ROOT: join(scratch, 'users') } });
    await platform.start();
    const uploaded = await platform.api('/api/v1/files', {
      method: 'POST',
      headers: { 'content-type': multipartType },
      body: multipart('my sales.csv', 'region,amount\nnorth,10\nsouth,20\nnorth,30\n'),
    });
    expect(uploaded.status).toBe(201);
    const upload = (await uploaded.json()) as UploadDto;
    const me = (await (await platform.api('/api/v1/auth/me')).json()) as { id: string };
    userFolder = join(scratch, 'users', me.id);
    const described = await platform.api('/api/v1/mcp/tools/data__describe_dataset/call', { method: 'POST', body: JSON.stringify({ arguments: { path: upload.storagePath } }) });
    expect(described.status).toBe(200);
    sales = { path: upload.storagePath, view: ((await described.json()) as McpToolResult).structuredContent!.view as string };
    expect(sales.path).toContain(' ');
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const { ask, events: read, messagesOf } = chatClient(() => platform);
  const events = (turnId: string, until?: (event: StreamedEvent) => boolean) => read(turnId, { until });
  const eventOf = (streamed: StreamedEvent[], type: string) => streamed.find((event) => event.type === type)?.data;
  const answerIn = async (conversationId: string) => (await messagesOf(conversationId)).at(-1)!;

  /** Asks, reads the whole turn, and checks that the saved answer is what was streamed. */
  async function turn(content: string): Promise<{ streamed: StreamedEvent[]; text: string; answer: MessageDto }> {
    const { turnId, conversationId } = await ask(content);
    const streamed = await events(turnId);
    const answer = await answerIn(conversationId);
    const text = textOf(streamed);
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', model: null });
    expect(answer.parts.filter((part) => part.type === 'text')).toEqual([{ type: 'text', text }]);
    expect(streamed.at(-1)).toMatchObject({ type: 'done', data: { status: 'complete', messageId: answer.id } });
    return { streamed, text, answer };
  }

  it('lists no models', async () => {
    expect(await (await platform.api('/api/v1/models')).json()).toEqual([]);
  });

  it('answers plain text and unknown commands with the no-model line, how to configure a model, and the commands', async () => {
    const plain = await turn('How did sales do by region?');
    expect(typesOf(plain.streamed)).toEqual(['start', 'text-delta', 'done']);
    expect(plain.streamed[0]!.data).toMatchObject({ model: null });
    expect(plain.text.startsWith(noModel)).toBe(true);
    for (const variable of ['OPENAI_API_KEY', 'OPENAI_MODEL', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_MODEL', 'MODELS_FILE']) expect(plain.text).toContain(variable);
    for (const usage of usages) expect(plain.text).toContain(`\`${usage}\``);
    expect(plain.answer.parts).toEqual([{ type: 'text', text: plain.text }]);

    const unknown = await turn('/frobnicate the sales');
    expect(unknown.text.startsWith(noModel)).toBe(true);
    expect(unknown.text).toContain('`/frobnicate` is not a command.');
    expect(unknown.text).toContain('`/sql <query>`');
  });

  it('/help lists every command with an example', async () => {
    const { streamed, text } = await turn('/help');
    expect(typesOf(streamed)).toEqual(['start', 'text-delta', 'done']);
    for (const usage of usages) expect(text).toMatch(new RegExp(`^- \`${usage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`: .+ Example: \`/\\w+.*\`$`, 'm'));
  });

  it('/tools lists each of the user\'s tools by server, marking those that ask for approval', async () => {
    const tools = (await (await platform.api('/api/v1/mcp/tools')).json()) as McpToolInfo[];
    expect(tools.length).toBeGreaterThan(4);
    const { streamed, text } = await turn('/tools');
    expect(typesOf(streamed)).toEqual(['start', 'text-delta', 'done']);
    expect(text).toContain('**data**');
    for (const tool of tools) {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`- \`${tool.qualifiedName}\``));
      expect({ tool: tool.qualifiedName, asks: line?.includes('(asks for approval)') }).toEqual({ tool: tool.qualifiedName, asks: tool.annotations?.readOnlyHint !== true });
    }
    // The first sentence of each description.
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '- `data__query`: Run one read-only SQL SELECT (DuckDB dialect) over the datasets.',
        '- `data__export_result` (asks for approval): Run one SELECT and write its whole result into the data folder (under exports/) as CSV, Excel, Parquet or JSON.',
      ]),
    );
  });

  it('/sql runs the query: the call, its result and its table are sent and kept, and the answer counts the rows', async () => {
    const sql = `SELECT region, sum(amount) AS total FROM ${sales.view} GROUP BY region ORDER BY region`;
    const { streamed, text, answer } = await turn(`/sql ${sql}`);
    expect(typesOf(streamed)).toEqual(['start', 'tool-call', 'tool-result', 'table', 'text-delta', 'done']);
    expect(eventOf(streamed, 'tool-call')).toMatchObject({ server: 'data', tool: 'query', arguments: { sql } });
    expect(eventOf(streamed, 'tool-result')).toMatchObject({ isError: false });
    expect(eventOf(streamed, 'table')).toMatchObject({ columns: [{ name: 'region' }, { name: 'total' }], rows: [{ region: 'north', total: 40 }, { region: 'south', total: 20 }] });
    expect(text).toBe('2 rows.');
    expect(answer.parts.map((part) => part.type)).toEqual(['tool_call', 'tool_result', 'text']);
    expect(answer.parts[0]).toMatchObject({ tool: 'data__query', arguments: { sql } });
  });

  it('/sql says how many of the rows are shown when the result is cut', async () => {
    const { streamed, text } = await turn('/SQL\nSELECT range AS n\nFROM range(250)');
    expect(eventOf(streamed, 'tool-call')).toMatchObject({ arguments: { sql: 'SELECT range AS n\nFROM range(250)' } });
    expect(eventOf(streamed, 'table')).toMatchObject({ rowCount: 250, truncated: true });
    expect(text).toBe('100 of 250 rows shown.');
  });

  it('/describe names the columns, their types and the row count of a file whose name has a space: its path quoted or not, or the upload\'s bare name', async () => {
    for (const written of [`"${sales.path}"`, sales.path, '"my sales.csv"']) {
      const { streamed, text } = await turn(`/describe ${written}`);
      expect(typesOf(streamed)).toEqual(['start', 'tool-call', 'tool-result', 'text-delta', 'done']);
      expect(eventOf(streamed, 'tool-call')).toMatchObject({ tool: 'describe_dataset', arguments: { path: sales.path } });
      expect(text).toBe([`**${sales.path}** (csv): 3 rows, 2 columns.`, '', '| column | type |', '| --- | --- |', '| region | VARCHAR |', '| amount | BIGINT |'].join('\n'));
    }
  });

  it('/profile sums up each column', async () => {
    const { streamed, text } = await turn(`/profile "${sales.path}"`);
    expect(eventOf(streamed, 'tool-call')).toMatchObject({ tool: 'profile_dataset', arguments: { path: sales.path } });
    expect(text).toContain('| column | type | nulls | distinct | min | max | mean |');
    expect(text).toContain('| region | VARCHAR | 0 | 2 | north | south | — |');
    expect(text).toContain('| amount | BIGINT | 0 | 3 | 10 | 30 | 20 |');
  });

  it('/chart charts an aggregate of a file, or a SELECT, and the chart is sent', async () => {
    const fromFile = await turn(`/chart bar region sum(amount) from "${sales.path}"`);
    expect(typesOf(fromFile.streamed)).toEqual(['start', 'tool-call', 'tool-result', 'chart', 'text-delta', 'done']);
    expect(eventOf(fromFile.streamed, 'tool-call')).toMatchObject({ tool: 'chart', arguments: { dataset: sales.path, mark: 'bar', x: 'region', y: 'amount', aggregate: 'sum' } });
    expect(eventOf(fromFile.streamed, 'chart')).toMatchObject({ spec: { mark: { type: 'bar' }, data: { values: [{ region: 'north', sum_amount: 40 }, { region: 'south', sum_amount: 20 }] } } });
    expect(fromFile.text).toBe('A bar chart of sum(amount) by region: 2 points.');

    const fromSql = await turn('/chart point n square from select range AS n, range * range AS square FROM range(5)');
    expect(eventOf(fromSql.streamed, 'tool-call')).toMatchObject({ arguments: { sql: 'select range AS n, range * range AS square FROM range(5)', mark: 'point', x: 'n', y: 'square' } });
    expect(eventOf(fromSql.streamed, 'tool-call')!.arguments).not.toHaveProperty('dataset');
    expect(eventOf(fromSql.streamed, 'chart')).toBeDefined();
    expect(fromSql.text).toBe('A point chart of square by n: 5 points.');

    const counted = await turn(`/chart arc region count from ${sales.path}`);
    expect(eventOf(counted.streamed, 'tool-call')).toMatchObject({ arguments: { dataset: sales.path, mark: 'arc', x: 'region', aggregate: 'count' } });
    expect(eventOf(counted.streamed, 'tool-call')!.arguments).not.toHaveProperty('y');
    expect(counted.text).toBe('An arc chart of count by region: 2 points.');
  });

  it('/call calls any tool with JSON arguments, or none', async () => {
    const query = await turn('/call data__query {"sql": "SELECT 42 AS answer"}');
    expect(typesOf(query.streamed)).toEqual(['start', 'tool-call', 'tool-result', 'table', 'text-delta', 'done']);
    expect(eventOf(query.streamed, 'table')).toMatchObject({ rows: [{ answer: 42 }] });
    expect(query.text).toBe('1 row.');

    const listed = await turn('/call data__list_datasets');
    expect(eventOf(listed.streamed, 'tool-call')).toMatchObject({ tool: 'list_datasets', arguments: {} });
    expect(listed.text).toContain('`data__list_datasets` answered:\n\n```json\n');
    expect(listed.text).toContain(`"path": "${sales.path}"`);
  });

  it('calls nothing for JSON that does not parse or is not an object, for a tool the user does not have, or for a missing argument', async () => {
    const cases: [string, string][] = [
      ['/call data__query {"sql": SELECT 1}', 'The arguments are not valid JSON ('],
      ['/call data__query ["SELECT 1"]', 'The arguments must be a JSON object such as {"sql": "SELECT 1"}, not an array'],
      ['/call data__nope {}', 'There is no tool `data__nope` among your tools; `/tools` lists them.'],
      ['/call', '`/call` needs a tool name. Usage: `/call <server>__<tool> {json}`'],
      ['/sql', '`/sql` needs a query. Usage: `/sql <query>`'],
      ['/describe', '`/describe` needs a file. Usage: `/describe <file>`'],
      ['/profile  ', '`/profile` needs a file. Usage: `/profile <file>`'],
      ['/chart bar region', '`/chart` needs `from` and a file or a SELECT to chart. Usage: `/chart <mark> <x> <y> from <file or SELECT>`'],
      [`/chart bar region from ${sales.path}`, '`/chart` needs a mark, an x column and a y column (or an aggregate such as count) before `from`.'],
      [`/chart pie region count from ${sales.path}`, '`pie` is not a mark; use bar, line, area, point, tick, arc.'],
    ];
    for (const [content, said] of cases) {
      const { streamed, text } = await turn(content);
      expect({ content, types: typesOf(streamed), said: text.includes(said) ? said : text }).toEqual({ content, types: ['start', 'text-delta', 'done'], said });
    }
  });

  it('says plainly when a tool fails', async () => {
    const { streamed, text } = await turn('/sql SELECT nothing FROM nowhere');
    expect(typesOf(streamed)).toEqual(['start', 'tool-call', 'tool-result', 'text-delta', 'done']);
    expect(eventOf(streamed, 'tool-result')).toMatchObject({ isError: true });
    expect(text).toMatch(/^The tool failed: .*nowhere/s);
  });

  it('asks for approval before a tool that is not read-only: approved, it runs; denied, it does not', async () => {
    const exportAs = (name: string) => `/call data__export_result {"sql": "SELECT region, amount FROM ${sales.view}", "format": "csv", "name": "${name}"}`;
    const approved = await ask(exportAs('approved'));
    const asked = (await events(approved.turnId, (event) => event.type === 'approval-required')).at(-1)!;
    expect(asked.data).toMatchObject({ server: 'data', tool: 'export_result', arguments: { format: 'csv', name: 'approved' } });
    const approval = await platform.api(`/api/v1/turns/${approved.turnId}/approvals`, { method: 'POST', body: JSON.stringify({ toolCallId: asked.data.toolCallId, decision: 'approve' }) });
    expect(approval.status).toBe(202);
    const afterApproval = await events(approved.turnId);
    expect(typesOf(afterApproval)).toEqual(['start', 'tool-call', 'approval-required', 'tool-result', 'text-delta', 'done']);
    expect(eventOf(afterApproval, 'tool-result')).toMatchObject({ isError: false });
    expect(textOf(afterApproval)).toContain('"path": "exports/approved.csv"');
    await access(join(userFolder, 'exports', 'approved.csv'));
    expect((await answerIn(approved.conversationId)).parts.map((part) => part.type)).toEqual(['tool_call', 'tool_result', 'text']);

    const denied = await ask(exportAs('denied'));
    const deniedAsk = (await events(denied.turnId, (event) => event.type === 'approval-required')).at(-1)!;
    const denial = await platform.api(`/api/v1/turns/${denied.turnId}/approvals`, { method: 'POST', body: JSON.stringify({ toolCallId: deniedAsk.data.toolCallId, decision: 'deny' }) });
    expect(denial.status).toBe(202);
    const afterDenial = await events(denied.turnId);
    const result = eventOf(afterDenial, 'tool-result')!;
    expect(result).toMatchObject({ isError: true });
    expect(JSON.stringify(result.result)).toContain('The user denied this call');
    expect(textOf(afterDenial)).toMatch(/^The tool failed: The user denied this call/);
    expect(afterDenial.at(-1)!.data).toMatchObject({ status: 'complete' });
    await expect(access(join(userFolder, 'exports', 'denied.csv'))).rejects.toThrow();
  });
});
