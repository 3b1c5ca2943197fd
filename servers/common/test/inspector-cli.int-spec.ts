import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const inspector = 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js';

/** What the MCP Inspector's CLI prints for one method against one of our servers, started over stdio. */
async function inspect(server: string, root: string, ...method: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [inspector, '--cli', process.execPath, `dist/servers/${server}/main.js`, '--root', root, ...method], { timeout: 60_000 });
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

describe('the first-party servers under the MCP Inspector CLI', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dfc-inspector-'));
    await writeFile(join(root, 'sales.csv'), 'region,amount\nnorth,10\nsouth,20\nnorth,5\n');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists and calls the data server tools', async () => {
    const { tools } = await inspect('data', root, '--method', 'tools/list');
    expect(tools.map((tool: { name: string }) => tool.name).sort()).toEqual(['cache_status', 'cancel_ingestion', 'chart', 'describe_dataset', 'export_result', 'ingest_dataset', 'list_datasets', 'profile_dataset', 'query']);
    const result = await inspect('data', root, '--method', 'tools/call', '--tool-name', 'query', '--tool-arg', 'sql=SELECT region, sum(amount) AS total FROM sales GROUP BY region ORDER BY region');
    expect(result.structuredContent.rows).toEqual([
      { region: 'north', total: 15 },
      { region: 'south', total: 20 },
    ]);
  });

  it('lists and calls the sqlite server tools', async () => {
    const { tools } = await inspect('sqlite', root, '--method', 'tools/list');
    expect(tools.map((tool: { name: string }) => tool.name).sort()).toEqual(['append_insight', 'create_table', 'describe_table', 'list_tables', 'read_query', 'write_query']);
    const result = await inspect('sqlite', root, '--method', 'tools/call', '--tool-name', 'read_query', '--tool-arg', 'query=SELECT 40 + 2 AS answer');
    expect(result.structuredContent).toEqual({ rows: [{ answer: 42 }] });
  });
});
