import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import ExcelJS from 'exceljs';
import { findFreePort } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';

const main = 'dist/servers/data/main.js';
const text = (result: CallToolResult) => (result.content[0] as { text: string }).text;

/** 200 sales rows: id, day, region (north/south/east/west), amount = id * 1.5, qty = id % 7. */
function salesCsv(): string {
  const regions = ['north', 'south', 'east', 'west'];
  const lines = ['id,day,region,amount,qty'];
  for (let id = 1; id <= 200; id++) lines.push(`${id},2024-01-${String((id % 28) + 1).padStart(2, '0')},${regions[id % 4]},${id * 1.5},${id % 7}`);
  return `${lines.join('\n')}\n`;
}

describe('the data MCP server (DuckDB), over stdio', () => {
  let root: string;
  let client: Client;
  const call = (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  const ok = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    if (result.isError) throw new Error(`${name} failed: ${text(result)}`);
    return result.structuredContent as Record<string, any>;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dfc-data-'));
    await writeFile(join(root, 'sales.csv'), salesCsv());
    // Mixed quoting, a BOM, Windows line endings and a semicolon as delimiter.
    await writeFile(join(root, 'messy.csv'), '\uFEFFname;note;value\r\n"Smith, J";"said ""hi""";1\r\nDoe;plain;2\r\n"O\'Neil";"two\r\nlines";3\r\n');
    await writeFile(join(root, 'latin.csv'), Buffer.from('city,pop\nZ\xfcrich,400\nM\xe1laga,570\n', 'latin1'));
    await writeFile(join(root, 'empty.csv'), '');
    await writeFile(join(root, 'scores.tsv'), 'player\tscore\nann\t7\nbo\t9\n');
    await writeFile(join(root, 'events.ndjson'), '{"kind":"click","n":1}\n{"kind":"view","n":2}\n{"kind":"click","n":3}\n');
    await mkdir(join(root, 'nested'));
    await writeFile(join(root, 'nested', 'items.json'), JSON.stringify([{ sku: 'a', price: 2.5 }, { sku: 'b', price: 4 }]));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Budget');
    sheet.addRows([['team', 'budget'], ['data', 100], ['web', 250]]);
    workbook.addWorksheet('Notes').addRows([['note'], ['draft']]);
    await workbook.xlsx.writeFile(join(root, 'budget.xlsx'));
    const database = new DatabaseSync(join(root, 'shop.sqlite'));
    database.exec("CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bo');");
    database.close();
    client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [main, '--root', root, '--timeout', '3'], stderr: 'ignore' }));
  });

  afterAll(async () => {
    await client?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('offers its tools with honest annotations, a prompt and one resource per dataset', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['cache_status', 'cancel_ingestion', 'chart', 'describe_dataset', 'export_result', 'ingest_dataset', 'list_datasets', 'profile_dataset', 'query']);
    for (const tool of tools) expect(tool.annotations?.readOnlyHint).toBe(tool.name !== 'export_result');
    expect(await ok('cache_status')).toEqual({ enabled: false, files: [], ingestions: 0, contents: [], bytes: 0, limitBytes: 0 });
    for (const tool of ['ingest_dataset', 'cancel_ingestion']) expect(text(await call(tool, { path: 'sales.csv' }))).toMatch(/runs without a columnar cache/);
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['explore-data']);
    const prompt = await client.getPrompt({ name: 'explore-data', arguments: { path: 'sales.csv', topic: 'regions' } });
    expect((prompt.messages[0].content as { text: string }).text).toContain('"sales.csv" with a view to: regions');
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('dataset:///sales.csv');
    const schema = JSON.parse(((await client.readResource({ uri: 'dataset:///sales.csv' })).contents[0] as { text: string }).text);
    expect(schema.views[0]).toMatchObject({ view: 'sales', rowCount: 200 });
    expect(schema.views[0].columns.map((column: { name: string }) => column.name)).toEqual(['id', 'day', 'region', 'amount', 'qty']);
  });

  it('lists every data file with its type, size, time and view; an empty file says so', async () => {
    const { datasets } = await ok('list_datasets');
    const byPath = Object.fromEntries(datasets.map((dataset: { path: string }) => [dataset.path, dataset]));
    expect(Object.keys(byPath).sort()).toEqual(['budget.xlsx', 'empty.csv', 'events.ndjson', 'latin.csv', 'messy.csv', 'nested/items.json', 'sales.csv', 'scores.tsv', 'shop.sqlite']);
    expect(byPath['sales.csv']).toMatchObject({ format: 'csv', size: (await stat(join(root, 'sales.csv'))).size, views: ['sales'] });
    expect(byPath['nested/items.json'].views).toEqual(['nested_items']);
    expect(byPath['budget.xlsx'].views).toEqual(['budget', 'budget__notes']);
    expect(byPath['shop.sqlite'].views).toEqual(['shop']);
    expect(byPath['empty.csv'].error).toBe('the file is empty');
    const empty = await call('describe_dataset', { path: 'empty.csv' });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toBe('"empty.csv" cannot be queried: the file is empty.');
  });

  it('describes a dataset: inferred types, row count, first rows', async () => {
    const described = await ok('describe_dataset', { path: 'sales.csv', rows: 2 });
    expect(described.rowCount).toBe(200);
    expect(described.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'day', type: 'DATE' },
      { name: 'region', type: 'VARCHAR' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'qty', type: 'BIGINT' },
    ]);
    expect(described.firstRows).toEqual([
      { id: 1, day: '2024-01-02', region: 'south', amount: 1.5, qty: 1 },
      { id: 2, day: '2024-01-03', region: 'east', amount: 3, qty: 2 },
    ]);
  });

  it('reads a CSV with a BOM, Windows line endings, mixed quoting and a semicolon; one in Latin-1; a TSV', async () => {
    expect((await ok('query', { sql: 'SELECT * FROM messy ORDER BY value' })).rows).toEqual([
      { name: 'Smith, J', note: 'said "hi"', value: 1 },
      { name: 'Doe', note: 'plain', value: 2 },
      { name: "O'Neil", note: 'two\r\nlines', value: 3 },
    ]);
    expect((await ok('query', { sql: 'SELECT city FROM latin ORDER BY pop' })).rows).toEqual([{ city: 'Zürich' }, { city: 'Málaga' }]);
    expect((await ok('query', { sql: 'SELECT player FROM scores WHERE score > 8' })).rows).toEqual([{ player: 'bo' }]);
  });

  it('reads JSON, NDJSON, Excel sheets and SQLite tables', async () => {
    expect((await ok('query', { sql: 'SELECT kind, sum(n) AS n FROM events GROUP BY kind ORDER BY kind' })).rows).toEqual([
      { kind: 'click', n: 4 },
      { kind: 'view', n: 2 },
    ]);
    expect((await ok('query', { sql: 'SELECT sku FROM nested_items WHERE price > 3' })).rows).toEqual([{ sku: 'b' }]);
    expect((await ok('query', { sql: 'SELECT team, budget FROM budget ORDER BY budget DESC' })).rows).toEqual([
      { team: 'web', budget: 250 },
      { team: 'data', budget: 100 },
    ]);
    expect((await ok('query', { sql: 'SELECT note FROM budget__notes' })).rows).toEqual([{ note: 'draft' }]);
    expect((await ok('query', { sql: 'SELECT name FROM shop ORDER BY id' })).rows).toEqual([{ name: 'Ann' }, { name: 'Bo' }]);
  });

  it('queries with a cap: the total row count and whether it was truncated', async () => {
    const result = await ok('query', { sql: 'SELECT id FROM sales ORDER BY id', limit: 3 });
    expect(result).toEqual({ columns: [{ name: 'id', type: 'BIGINT' }], rows: [{ id: 1 }, { id: 2 }, { id: 3 }], rowCount: 200, truncated: true });
    const grouped = await ok('query', { sql: 'SELECT region, count(*) AS n, sum(amount) AS total FROM sales GROUP BY region ORDER BY region' });
    expect(grouped.rows).toEqual([
      { region: 'east', n: 50, total: 7500 },
      { region: 'north', n: 50, total: 7650 },
      { region: 'south', n: 50, total: 7425 },
      { region: 'west', n: 50, total: 7575 },
    ]);
    expect(grouped.truncated).toBe(false);
  });

  it('profiles columns: nulls, distinct, min/max/mean, quantiles, top values, a histogram', async () => {
    const profile = await ok('profile_dataset', { path: 'sales.csv', columns: ['amount', 'region'] });
    expect(profile.rowCount).toBe(200);
    // In the dataset's column order.
    const [region, amount] = profile.columns;
    expect(amount).toMatchObject({ name: 'amount', type: 'DOUBLE', nullCount: 0, distinctCount: 200, min: 1.5, max: 300, mean: 150.75 });
    expect(amount.quantiles.p50).toBeCloseTo(150.75);
    expect(amount.histogram).toHaveLength(10);
    expect(amount.histogram.reduce((sum: number, bin: { count: number }) => sum + bin.count, 0)).toBe(200);
    expect(region).toMatchObject({ name: 'region', nullCount: 0, distinctCount: 4, min: 'east', max: 'west' });
    expect(region.topValues).toEqual([
      { value: 'east', count: 50 },
      { value: 'north', count: 50 },
      { value: 'south', count: 50 },
      { value: 'west', count: 50 },
    ]);
    expect(region.histogram).toBeUndefined();
  });

  it('charts: a Vega-Lite v5 spec with the data aggregated in SQL and inlined', async () => {
    const chart = await ok('chart', { dataset: 'sales.csv', mark: 'bar', x: 'region', y: 'amount', aggregate: 'sum', title: 'Sales by region' });
    expect(chart.spec).toMatchObject({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Sales by region',
      mark: { type: 'bar' },
      encoding: { x: { field: 'region', type: 'nominal' }, y: { field: 'sum_amount', type: 'quantitative' } },
    });
    expect(chart.spec.data.values).toEqual([
      { region: 'east', sum_amount: 7500 },
      { region: 'north', sum_amount: 7650 },
      { region: 'south', sum_amount: 7425 },
      { region: 'west', sum_amount: 7575 },
    ]);
    const line = await ok('chart', { sql: 'SELECT day, amount FROM sales WHERE id <= 5', mark: 'line', x: 'day', y: 'amount' });
    expect(line.spec.encoding.x).toEqual({ field: 'day', type: 'temporal' });
    expect(line.points).toBe(5);
  });

  it('exports a result as CSV, Excel, Parquet and JSON into the data folder, and never overwrites', async () => {
    const sql = "SELECT region, sum(qty) AS qty FROM sales GROUP BY region ORDER BY region";
    expect(await ok('export_result', { sql, format: 'csv', name: 'by-region' })).toMatchObject({ path: 'exports/by-region.csv', rows: 4 });
    expect(await readFile(join(root, 'exports/by-region.csv'), 'utf8')).toBe('region,qty\neast,149\nnorth,151\nsouth,148\nwest,150\n');
    for (const format of ['xlsx', 'parquet', 'json']) expect((await ok('export_result', { sql, format, name: 'by-region' })).path).toBe(`exports/by-region.${format}`);
    expect((await ok('query', { sql: 'SELECT sum(qty) AS qty FROM exports_by_region_parquet' })).rows).toEqual([{ qty: 598 }]);
    const again = await call('export_result', { sql, format: 'csv', name: 'by-region' });
    expect(again.isError).toBe(true);
    expect(text(again)).toContain('exists already');
  });

  it('answers bad input with clear errors, not crashes', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['describe_dataset', { path: 'nope.csv' }, /There is no dataset "nope.csv"/],
      ['query', { sql: 'SELEC * FROM sales' }, /DuckDB error: Parser Error/],
      ['query', { sql: 'SELECT missing_column FROM sales' }, /DuckDB error: Binder Error.*missing_column/],
      ['query', { sql: "SELECT region::INTEGER FROM sales" }, /DuckDB error: Conversion Error/],
      ['query', { sql: 'SELECT * FROM no_such_view' }, /DuckDB error: Catalog Error/],
      ['profile_dataset', { path: 'sales.csv', columns: ['nope'] }, /has no column "nope"/],
      ['chart', { dataset: 'sales.csv', mark: 'bar', x: 'nope', y: 'amount' }, /no column "nope"/],
      ['chart', { mark: 'bar', x: 'region', y: 'amount' }, /either sql or dataset/],
    ];
    for (const [tool, args, message] of cases) {
      const result = await call(tool, args);
      expect({ tool, isError: result.isError }).toEqual({ tool, isError: true });
      expect(text(result)).toMatch(message);
    }
    const wrongType = await call('query', { sql: 'SELECT 1', limit: 'ten' });
    expect(wrongType.isError).toBe(true);
    expect(text(wrongType)).toMatch(/limit/);
  });

  it('serves Streamable HTTP with --http', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, [main, '--root', root, '--http', String(port)], { stdio: 'ignore' });
    const http = new Client({ name: 'test', version: '1.0.0' });
    try {
      await eventually(async () => void (await fetch(`http://127.0.0.1:${port}/mcp`)), 10_000);
      await http.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const result = await http.callTool({ name: 'query', arguments: { sql: 'SELECT count(*) AS n FROM sales' } });
      expect(result.structuredContent).toMatchObject({ rows: [{ n: 200 }] });
    } finally {
      await http.close();
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad command line with a message and the usage (exit code 2)', () => {
    for (const [args, message] of [
      [[], '--root is required'],
      [['--root', root, '--memory-limit', 'lots'], '--memory-limit must be a size such as 512MB or 2GB (got "lots")'],
      [['--root', root, '--timeout', '0'], '--timeout must be a positive number (got "0")'],
      [['--root', root, '--http', 'eighty'], '--http must be a port number'],
      [['--root', root, '--bogus'], "Unknown option '--bogus'"],
    ] as const) {
      const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('Usage: node dist/servers/data/main.js');
    }
  });
});
