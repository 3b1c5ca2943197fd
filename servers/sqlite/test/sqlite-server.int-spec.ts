import { spawnSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { findFreePort } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';

const main = 'dist/servers/sqlite/main.js';

async function connect(args: string[]): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [main, ...args], stderr: 'ignore' }));
  return client;
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe('the sqlite MCP server (node:sqlite), over stdio', () => {
  let root: string;
  let client: Client;
  const call = (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dfc-sqlite-'));
    client = await connect(['--root', root]);
  });

  afterAll(async () => {
    await client?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('offers the reference tool set, with annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['append_insight', 'create_table', 'describe_table', 'list_tables', 'read_query', 'write_query']);
    expect(tools.find((tool) => tool.name === 'read_query')?.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.find((tool) => tool.name === 'write_query')?.annotations).toMatchObject({ destructiveHint: true });
  });

  it('creates a table, writes rows, reads them back, lists and describes tables', async () => {
    expect((await call('create_table', { query: 'CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT NOT NULL, amount REAL)' })).structuredContent).toEqual({
      created: true,
      message: 'Table created successfully',
    });
    const inserted = await call('write_query', { query: "INSERT INTO sales (region, amount) VALUES ('north', 10.5), ('south', 20), ('north', 4.5)" });
    expect(inserted.structuredContent).toEqual({ affected_rows: 3 });
    const read = await call('read_query', { query: 'SELECT region, sum(amount) AS total FROM sales GROUP BY region ORDER BY region' });
    expect(read.structuredContent).toEqual({ rows: [{ region: 'north', total: 15 }, { region: 'south', total: 20 }] });
    expect(JSON.parse(text(read))).toEqual(read.structuredContent);
    expect((await call('list_tables')).structuredContent).toEqual({ tables: ['sales'] });
    const described = await call('describe_table', { table_name: 'sales' });
    expect((described.structuredContent as { columns: { name: string; type: string; pk: number }[] }).columns.map((c) => [c.name, c.type, c.pk])).toEqual([
      ['id', 'INTEGER', 1],
      ['region', 'TEXT', 0],
      ['amount', 'REAL', 0],
    ]);
    expect((await call('write_query', { query: "UPDATE sales SET amount = amount * 2 WHERE region = 'north'" })).structuredContent).toEqual({ affected_rows: 2 });
    expect((await call('write_query', { query: 'DELETE FROM sales WHERE amount > 100' })).structuredContent).toEqual({ affected_rows: 0 });
  });

  it('lets the engine refuse what a tool is not for, with a clear error', async () => {
    const refusals: [string, string, string][] = [
      ['read_query', "INSERT INTO sales (region) VALUES ('x')", 'read_query runs SELECT statements only'],
      ['read_query', 'DELETE FROM sales', 'SELECT statements only'],
      ['read_query', 'DROP TABLE sales', 'SELECT statements only'],
      ['read_query', "ATTACH DATABASE '/etc/passwd' AS p", 'SELECT statements only'],
      ['read_query', 'PRAGMA writable_schema = 1', 'SELECT statements only'],
      ['write_query', 'SELECT * FROM sales', 'use read_query'],
      ['write_query', 'DROP TABLE sales', 'write_query runs INSERT, UPDATE and DELETE statements only'],
      ['write_query', 'CREATE TABLE t (a)', 'INSERT, UPDATE and DELETE statements only'],
      ['write_query', "INSERT INTO sqlite_master VALUES ('table', 'x', 'x', 0, '')", 'INSERT, UPDATE and DELETE statements only'],
      ['create_table', 'DROP TABLE sales', 'create_table runs CREATE TABLE statements only'],
      ['create_table', 'CREATE VIEW v AS SELECT 1', 'CREATE TABLE statements only'],
      ['read_query', 'SELECT * FROM missing_table', 'SQLite error: no such table: missing_table'],
      ['read_query', 'SELEC 1', 'SQLite error'],
      ['read_query', 'SELECT missing_column FROM sales', 'no such column'],
    ];
    for (const [tool, query, message] of refusals) {
      const result = await call(tool, { query });
      expect([query, result.isError]).toEqual([query, true]);
      expect([query, text(result)]).toEqual([query, expect.stringContaining(message)]);
    }
    const missing = await call('describe_table', { table_name: 'nope' });
    expect(missing).toMatchObject({ isError: true, content: [{ text: 'There is no table named "nope"' }] });
    expect((await call('list_tables')).structuredContent).toEqual({ tables: ['sales'] });
  });

  it('checks argument types before running anything', async () => {
    const result = await call('read_query', { query: 42 });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('query');
  });

  it('keeps insights in the memo resource and tells subscribers when it changes', async () => {
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updates.push(notification.params.uri));
    await client.subscribeResource({ uri: 'memo://insights' });
    const before = await client.readResource({ uri: 'memo://insights' });
    expect(before.contents[0]).toMatchObject({ text: 'No business insights have been discovered yet.' });
    expect((await call('append_insight', { insight: 'North sells twice what south does' })).structuredContent).toEqual({ insights: 1 });
    const after = await client.readResource({ uri: 'memo://insights' });
    expect((after.contents[0] as { text: string }).text).toContain('- North sells twice what south does');
    await eventually(() => expect(updates).toEqual(['memo://insights']), 1_000, 20);
  });

  it('offers the demo prompt', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(['mcp-demo']);
    const prompt = await client.getPrompt({ name: 'mcp-demo', arguments: { topic: 'coffee shops' } });
    expect(JSON.stringify(prompt.messages)).toContain('coffee shops');
  });
});

describe('the sqlite MCP server, read-only and over HTTP', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dfc-sqlite-'));
    const writer = await connect(['--root', root, '--db', 'shop.sqlite']);
    await writer.callTool({ name: 'create_table', arguments: { query: 'CREATE TABLE items (name TEXT)' } });
    await writer.callTool({ name: 'write_query', arguments: { query: "INSERT INTO items VALUES ('tea')" } });
    await writer.close();
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('read-only: offers no writing tools, and reads', async () => {
    const client = await connect(['--root', root, '--db', 'shop.sqlite', '--read-only']);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['append_insight', 'describe_table', 'list_tables', 'read_query']);
      const rows = await client.callTool({ name: 'read_query', arguments: { query: 'SELECT name FROM items' } });
      expect(rows.structuredContent).toEqual({ rows: [{ name: 'tea' }] });
    } finally {
      await client.close();
    }
  });

  it('serves Streamable HTTP with --http', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, [main, '--root', root, '--db', 'shop.sqlite', '--http', String(port)], { stdio: 'ignore' });
    const client = new Client({ name: 'test', version: '1.0.0' });
    try {
      await eventually(async () => void (await fetch(`http://127.0.0.1:${port}/mcp`)), 5_000);
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const rows = await client.callTool({ name: 'read_query', arguments: { query: 'SELECT count(*) AS n FROM items' } });
      expect(rows.structuredContent).toEqual({ rows: [{ n: 1 }] });
    } finally {
      await client.close();
      child.kill('SIGKILL');
    }
  });

  it('refuses bad command lines with a message and the usage, not a stack trace', () => {
    for (const [args, message] of [
      [[], '--root is required'],
      [['--root', root, '--db', '../escape.sqlite'], '--db must be a plain file name'],
      [['--root', root, '--http', 'eighty'], '--http must be a port number'],
      [['--root', root, '--bogus'], "Unknown option '--bogus'"],
    ] as [string[], string][]) {
      const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
      expect([args, run.status]).toEqual([args, 2]);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('Usage:');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
