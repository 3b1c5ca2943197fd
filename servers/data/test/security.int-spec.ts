import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const main = 'dist/servers/data/main.js';
const text = (result: CallToolResult) => (result.content[0] as { text: string }).text;

/**
 * Hostile SQL through `query` and `chart`: whoever controls the SQL must still not get out of the
 * data folder, change the server's settings, or take the machine. Every escape is refused with a
 * clear error, and the server keeps answering.
 */
describe('the data MCP server against hostile SQL', () => {
  let base: string;
  let root: string;
  let outside: string;
  let client: Client;
  const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'dfc-data-escape-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await writeFile(join(root, 'sales.csv'), 'id,amount\n1,10\n2,20\n');
    await writeFile(join(outside, 'secret.csv'), 'secret\ntop-secret-value\n');
    await symlink(join(outside, 'secret.csv'), join(root, 'link.csv'));
    await symlink(outside, join(root, 'linked-folder'));
    client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [main, '--root', root, '--timeout', '2', '--memory-limit', '256MB', '--threads', '1'], stderr: 'ignore' }),
    );
  });

  afterAll(async () => {
    await client?.close();
    await rm(base, { recursive: true, force: true });
  });

  const escapes: [string, string, RegExp][] = [
    ['reads a file outside the root', "SELECT * FROM read_csv('/etc/passwd')", /Refused: "\/etc\/passwd" is outside the data folder/],
    ['reads text outside the root', "SELECT * FROM read_text('/etc/hostname')", /outside the data folder/],
    ['lists a folder outside the root', "SELECT * FROM glob('/etc/*')", /outside the data folder/],
    ['climbs out with ..', "SELECT * FROM read_csv('ROOT/../outside/secret.csv')", /outside the data folder/],
    ['reads through a symlinked file', "SELECT * FROM read_csv('ROOT/link.csv')", /outside the data folder, or a link that leads out of it/],
    ['reads through a symlinked folder', "SELECT * FROM read_csv('ROOT/linked-folder/secret.csv')", /outside the data folder/],
    ['reads a path relative to the working folder', "SELECT * FROM read_csv('secret.csv')", /outside the data folder/],
    ['reads from the network', "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", /outside the data folder/],
    ['writes a file outside the root', "COPY (SELECT 1) TO '/tmp/dfc-escape.csv'", /Refused: "\/tmp\/dfc-escape.csv" is outside the data folder/],
    ['writes a file inside the root', "COPY (SELECT 1) TO 'ROOT/written.csv'", /only SELECT queries run here; this is a COPY statement/],
    ['attaches a database', "ATTACH 'ROOT/../outside/x.db' AS x", /only SELECT queries run here; this is a ATTACH statement/],
    ['installs an extension', 'INSTALL httpfs', /only SELECT queries run here/],
    ['loads an extension', 'LOAD httpfs', /only SELECT queries run here/],
    ['turns external access back on', 'SET enable_external_access = true', /only SELECT queries run here; this is a SET statement/],
    ['raises the memory limit', "SET memory_limit = '100GB'", /this is a SET statement/],
    ['runs a pragma', 'PRAGMA enable_profiling', /only SELECT queries run here/],
    ['drops a view', 'DROP VIEW sales', /this is a DROP statement/],
    ['creates a table', 'CREATE TABLE t AS SELECT 1', /this is a CREATE statement/],
    ['hides a COPY behind a SELECT', "SELECT 1; COPY (SELECT 1) TO 'ROOT/x.csv'", /Refused: send one SELECT statement at a time \(this holds 2\)/],
    ['changes settings from a function', "SELECT set_config('enable_external_access', 'true')", /DuckDB error/],
    ['sends a very long query', `SELECT ${'1 + '.repeat(30_000)}1`, /limit|too long|100000/i],
    ['runs a cross join that would never end', 'SELECT count(*) FROM range(100000000) a, range(100000000) b', /Cancelled: the query ran longer than 2 s/],
    ['asks for more memory than allowed', 'SELECT list(range) FROM range(200000000)', /Out of Memory|memory/i],
  ];

  it.each(escapes)('refuses a query that %s', async (_name, sql, message) => {
    const result = await call('query', { sql: sql.replaceAll('ROOT', root) });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(message);
    expect(text(result)).not.toContain('top-secret-value');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['reads outside the root', { sql: "SELECT * FROM read_csv('/etc/passwd')", mark: 'bar', x: 'a', y: 'b' }, /outside the data folder/],
    ['writes through chart', { sql: "COPY (SELECT 1 AS a, 2 AS b) TO 'ROOT/c.csv'", mark: 'bar', x: 'a', y: 'b' }, /Refused|syntax error|Parser Error/],
    ['climbs out by dataset path', { dataset: '../outside/secret.csv', mark: 'bar', x: 'secret', aggregate: 'count' }, /Refused: "..\/outside\/secret.csv" is not a path inside the data folder/],
    ['uses an absolute dataset path', { dataset: '/etc/passwd', mark: 'bar', x: 'a', aggregate: 'count' }, /not a path inside the data folder/],
    ['charts a symlink', { dataset: 'link.csv', mark: 'bar', x: 'secret', aggregate: 'count' }, /Refused: "link.csv" is a link that leads out of the data folder/],
    ['smuggles SQL through a column name', { dataset: 'sales.csv', mark: 'bar', x: 'id") FROM read_csv(\'/etc/passwd\') --', y: 'amount' }, /no column/],
  ])('refuses a chart that %s', async (_name, args, message) => {
    const input = { ...args, ...(typeof args.sql === 'string' ? { sql: args.sql.replaceAll('ROOT', root) } : {}) };
    const result = await call('chart', input);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(message);
  });

  it('lists what it will not follow, and writes nothing anywhere', async () => {
    const listed = (await call('list_datasets', {})).structuredContent as { datasets: { path: string }[]; skipped: { path: string; reason: string }[] };
    expect(listed.datasets.map((dataset) => dataset.path)).toEqual(['sales.csv']);
    expect(listed.skipped).toEqual([
      { path: 'link.csv', reason: 'is a link that leads out of the data folder' },
      { path: 'linked-folder', reason: 'is a link that leads out of the data folder' },
    ]);
    expect((await readdir(root)).sort()).toEqual(['link.csv', 'linked-folder', 'sales.csv']);
    expect((await readdir(outside)).sort()).toEqual(['secret.csv']);
    expect(existsSync('/tmp/dfc-escape.csv')).toBe(false);
  });

  it('refuses export names that leave the exports folder', async () => {
    for (const name of ['../escape', '/tmp/escape', '.hidden']) {
      const result = await call('export_result', { sql: 'SELECT 1 AS a', format: 'csv', name });
      expect(result.isError).toBe(true);
    }
    expect(existsSync(join(base, 'escape.csv'))).toBe(false);
  });

  it('still answers after all that', async () => {
    const result = await call('query', { sql: 'SELECT sum(amount) AS total FROM sales' });
    expect(result.structuredContent).toMatchObject({ rows: [{ total: 30 }] });
  });
});
