import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom, toArray } from 'rxjs';
import { type CallToolRequest, McpBrokerContract, type McpToolResult } from '@dataflow/shared';
import { AnalysisCache, type CacheableCall } from '../src/catalog/analysis-cache.js';
import { BrokerUnderTest, everythingServer, filesystemServer } from './broker-harness.js';

const dataServer = 'dist/servers/data/main.js';

/** `n` sales rows of 1.5 each: the total is 1.5 × n. */
const salesCsv = (n: number) => ['id,amount', ...Array.from({ length: n }, (_, i) => `${i + 1},1.5`)].join('\n') + '\n';
const total = { qualifiedName: 'data__query', arguments: { sql: 'SELECT sum(amount) AS total FROM sales' } };

describe('the analysis cache, on the real data server', () => {
  let broker: BrokerUnderTest;
  const folder = (user: string) => join(broker.dir, 'users', user);

  /** The result event of a call: the result, and whether the cache answered it. */
  async function call(request: CallToolRequest): Promise<{ result: McpToolResult; cached: boolean }> {
    const events = await lastValueFrom(broker.client.stream(McpBrokerContract.callTool, request, { idleTimeoutMs: 30_000 }).pipe(toArray()));
    const last = events.at(-1);
    if (last?.type !== 'result') throw new Error(`no result among ${JSON.stringify(events)}`);
    return { result: last.result, cached: last.cached };
  }

  beforeAll(async () => {
    broker = await BrokerUnderTest.start({
      data: { command: 'node', args: [dataServer, '--root', '${USER_DATA_DIR}'], scope: 'user' },
      files: { command: 'node', args: [filesystemServer, '${USER_DATA_DIR}'], scope: 'user' },
      everything: { command: 'node', args: [everythingServer, 'stdio'] },
    });
    for (const user of ['alice', 'bob']) {
      await mkdir(folder(user), { recursive: true });
      await writeFile(join(folder(user), 'sales.csv'), salesCsv(10));
    }
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('answers the same query over unchanged files from the cache, and a changed file misses', async () => {
    const first = await call({ ...total, userId: 'alice' });
    expect(first).toMatchObject({ cached: false, result: { structuredContent: { rows: [{ total: 15 }] } } });
    const second = await call({ ...total, userId: 'alice' });
    expect(second).toEqual({ cached: true, result: first.result });

    await writeFile(join(folder('alice'), 'sales.csv'), salesCsv(20));
    const changed = await call({ ...total, userId: 'alice' });
    expect(changed).toMatchObject({ cached: false, result: { structuredContent: { rows: [{ total: 30 }] } } });
    expect(await call({ ...total, userId: 'alice' })).toEqual({ cached: true, result: changed.result });
  });

  it('keeps each user’s entries to that user, even over identical files', async () => {
    const count = { qualifiedName: 'data__query', arguments: { sql: 'SELECT count(*) AS n FROM sales' } };
    for (const user of ['alice', 'bob']) await writeFile(join(folder(user), 'sales.csv'), salesCsv(7));
    const alice = await call({ ...count, userId: 'alice' });
    expect(alice).toMatchObject({ cached: false, result: { structuredContent: { rows: [{ n: 7 }] } } });
    expect(await call({ ...count, userId: 'bob' })).toEqual({ cached: false, result: alice.result });
    expect(await call({ ...count, userId: 'bob' })).toEqual({ cached: true, result: alice.result });
  });

  it('never caches an error, nor a tool that does not say it is idempotent', async () => {
    const broken = { qualifiedName: 'data__query', arguments: { sql: 'SELECT * FROM no_such_table' }, userId: 'alice' };
    expect(await call(broken)).toMatchObject({ cached: false, result: { isError: true } });
    expect(await call(broken)).toMatchObject({ cached: false, result: { isError: true } });

    // The filesystem server's reads say readOnlyHint but not idempotentHint.
    const read = { qualifiedName: 'files__read_text_file', arguments: { path: join(folder('alice'), 'sales.csv') }, userId: 'alice' };
    expect(await call(read)).toMatchObject({ cached: false });
    expect(await call(read)).toMatchObject({ cached: false });
  });

  it('caches a shared server’s read-only, idempotent tool by its arguments alone', async () => {
    const sum = (a: number, b: number) => ({ qualifiedName: 'everything__get-sum', arguments: { a, b } });
    const first = await call(sum(2, 40));
    expect(first.cached).toBe(false);
    expect(await call({ ...sum(2, 40), userId: 'alice' })).toEqual({ cached: true, result: first.result });
    expect(await call(sum(3, 40))).toMatchObject({ cached: false });
  });
});

describe('the analysis cache', () => {
  let dataDir: string;
  const cache = new AnalysisCache({ maxBytes: 1_000_000, ttlMs: 60_000 });
  const query = (args: Record<string, unknown>): CacheableCall => ({ qualifiedName: 'data__query', scope: 'alice', arguments: args, definition: { args: ['--root'] }, dataDir });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dfc-cache-'));
    await mkdir(join(dataDir, 'nested'));
    await writeFile(join(dataDir, 'nested', 'a.csv'), 'x\n1\n');
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keys a call by its arguments in any key order, and by the contents of every file in the folder', async () => {
    const key = await cache.key(query({ sql: 'SELECT 1', options: { a: 1, b: [{ y: 2, x: 1 }] } }));
    expect(await cache.key(query({ options: { b: [{ x: 1, y: 2 }], a: 1 }, sql: 'SELECT 1' }))).toBe(key);
    expect(await cache.key(query({ sql: 'SELECT 2', options: { a: 1, b: [{ y: 2, x: 1 }] } }))).not.toBe(key);

    await writeFile(join(dataDir, 'nested', 'a.csv'), 'x\n2\n');
    expect(await cache.key(query({ sql: 'SELECT 1', options: { a: 1, b: [{ y: 2, x: 1 }] } }))).not.toBe(key);
  });

  it('runs identical calls that overlap once, and forgets a result after its TTL', async () => {
    const shortLived = new AnalysisCache({ maxBytes: 1_000_000, ttlMs: 200 });
    const call: CacheableCall = { qualifiedName: 'everything__get-sum', scope: 'shared', arguments: { a: 1, b: 2 }, definition: {} };
    let runs = 0;
    const run = async (): Promise<McpToolResult> => {
      runs++;
      await sleep(50);
      return { content: [{ type: 'text', text: 'The sum of 1 and 2 is 3.' }] };
    };
    const [first, second] = await Promise.all([shortLived.through(call, run), shortLived.through(call, run)]);
    expect([runs, first.cached, second.cached]).toEqual([1, false, true]);
    expect(second.result).toEqual(first.result);

    await sleep(300);
    expect(await shortLived.through(call, run)).toMatchObject({ cached: false });
    expect(runs).toBe(2);
  });
});
