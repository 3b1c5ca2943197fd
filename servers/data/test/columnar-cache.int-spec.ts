import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { eventually } from '@dataflow/shared/testing';

const main = 'dist/servers/data/main.js';

interface CacheStatus {
  enabled: boolean;
  files: { path: string; cached: boolean; state: string; progress: number | null }[];
  ingestions: number;
  contents: string[];
  bytes: number;
  limitBytes: number;
}

/**
 * `rows` rows of id, region, amount and a note; `amount` is `id * factor`, so a file's sum tells
 * which content a query read. The note varies from row to row, so the table does not compress to
 * nothing in DuckDB.
 */
function csv(rows: number, factor: number): string {
  const regions = ['north', 'south', 'east', 'west'];
  const lines = ['id,region,amount,note'];
  for (let id = 1; id <= rows; id++) lines.push(`${id},${regions[id % 4]},${id * factor},n${((id * 2654435761) % 4294967291).toString(36)}`);
  return `${lines.join('\n')}\n`;
}
const sumOf = (rows: number, factor: number) => (factor * rows * (rows + 1)) / 2;

/** A data server over a fresh data folder, with its columnar cache in a folder of its own. */
async function dataServer(extra: string[] = []) {
  const root = await mkdtemp(join(tmpdir(), 'dfc-cache-data-'));
  const cache = await mkdtemp(join(tmpdir(), 'dfc-cache-'));
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [main, '--root', root, '--cache', cache, ...extra], stderr: 'ignore' }));
  const ok = async (name: string, args: Record<string, unknown> = {}) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (result.isError) throw new Error(`${name} failed: ${(result.content[0] as { text: string }).text}`);
    return result.structuredContent as Record<string, any>;
  };
  const status = async () => (await ok('cache_status')) as CacheStatus;
  const fileStatus = async (path: string) => (await status()).files.find((file) => file.path === path);
  const cached = async (path: string) => (await fileStatus(path))?.cached;
  const total = async (view: string) => (await ok('query', { sql: `SELECT sum(amount) AS total FROM ${view}` })).rows[0].total as number;
  /** The ingested tables in the cache's database, as DuckDB's catalog lists them. */
  const tables = async () => (await ok('query', { sql: "SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'columnar' AND starts_with(table_name, 't_')" })).rows[0].n as number;
  const close = async () => {
    await client.close();
    await rm(root, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  };
  return { client, root, cache, ok, status, fileStatus, cached, total, tables, close };
}

type DataServer = Awaited<ReturnType<typeof dataServer>>;

describe("the data server's columnar cache", () => {
  let server: DataServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('ingests each content once: the first question starts it, later ones read the ingested table, a copy of the same content is not ingested again', async () => {
    server = await dataServer();
    await writeFile(join(server.root, 'sales.csv'), csv(5_000, 2));
    expect(await server.status()).toMatchObject({ enabled: true, files: [{ path: 'sales.csv', cached: false }], ingestions: 0, contents: [] });
    expect(await server.total('sales')).toBe(sumOf(5_000, 2));
    await eventually(async () => expect(await server!.cached('sales.csv')).toBe(true));
    for (let i = 0; i < 3; i++) expect(await server.total('sales')).toBe(sumOf(5_000, 2));
    await writeFile(join(server.root, 'copy.csv'), csv(5_000, 2));
    await server.ok('describe_dataset', { path: 'copy.csv' });
    await eventually(async () => expect(await server!.cached('copy.csv')).toBe(true));
    const status = await server.status();
    expect(status).toMatchObject({ ingestions: 1, contents: [createHash('sha256').update(csv(5_000, 2)).digest('hex')] });
    expect(status.bytes).toBeGreaterThan(0);
    expect(await server.tables()).toBe(1);
  });

  it('never answers from an older content: a changed file is read as it is now, then ingested again, and the old entry goes', async () => {
    server = await dataServer();
    const path = join(server.root, 'sales.csv');
    await writeFile(path, csv(3_000, 1));
    await server.total('sales');
    await eventually(async () => expect(await server!.cached('sales.csv')).toBe(true));
    await writeFile(path, csv(3_000, 5));
    expect(await server.total('sales')).toBe(sumOf(3_000, 5));
    await eventually(async () => expect(await server!.cached('sales.csv')).toBe(true));
    expect(await server.total('sales')).toBe(sumOf(3_000, 5));
    await eventually(async () => expect(await server!.status()).toMatchObject({ ingestions: 2, contents: [createHash('sha256').update(csv(3_000, 5)).digest('hex')] }));
    expect(await server.tables()).toBe(1);
  });

  it('profiles an ingested file as it profiled the file itself', async () => {
    server = await dataServer();
    await writeFile(join(server.root, 'sales.csv'), csv(2_000, 3));
    await server.ok('list_datasets');
    const inPlace = await server.ok('profile_dataset', { path: 'sales.csv' });
    await eventually(async () => expect(await server!.cached('sales.csv')).toBe(true));
    expect(await server.ok('profile_dataset', { path: 'sales.csv' })).toEqual(inPlace);
  });

  it('drops the ingested form of a file that is deleted', async () => {
    server = await dataServer();
    await writeFile(join(server.root, 'sales.csv'), csv(3_000, 1));
    await server.total('sales');
    await eventually(async () => expect((await server!.status()).contents).toHaveLength(1));
    expect(await server.tables()).toBe(1);
    await unlink(join(server.root, 'sales.csv'));
    await eventually(async () => expect((await server!.status()).contents).toEqual([]));
    expect(await server.tables()).toBe(0);
  });

  it('answers a question asked while its file is being ingested, from the file itself', async () => {
    server = await dataServer();
    await writeFile(join(server.root, 'big.csv'), csv(400_000, 3));
    const answers = await Promise.all([server.total('big'), server.total('big'), server.ok('describe_dataset', { path: 'big.csv' }).then(() => server!.total('big'))]);
    expect(answers).toEqual([sumOf(400_000, 3), sumOf(400_000, 3), sumOf(400_000, 3)]);
    await eventually(async () => expect(await server!.cached('big.csv')).toBe(true), 30_000);
    expect((await server.status()).ingestions).toBe(1);
    expect(await server.total('big')).toBe(sumOf(400_000, 3));
  });

  it("reports an ingestion's progress through MCP progress notifications, and where it stands in cache_status", async () => {
    server = await dataServer(['--threads', '1']);
    await writeFile(join(server.root, 'big.csv'), csv(1_500_000, 1));
    expect(await server.fileStatus('big.csv')).toEqual({ path: 'big.csv', state: 'pending', progress: null, cached: false });
    const seen: { progress: number; message?: string }[] = [];
    const result = (await server.client.callTool({ name: 'ingest_dataset', arguments: { path: 'big.csv' } }, undefined, { onprogress: (progress) => seen.push(progress) })) as CallToolResult;
    expect(result.structuredContent).toEqual({ path: 'big.csv', state: 'ingested', progress: 1 });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.map((progress) => progress.progress)).toEqual([...seen.map((progress) => progress.progress)].sort((a, b) => a - b));
    expect(seen.every((progress) => progress.progress > 0 && progress.progress <= 1 && ['hashing', 'queued', 'ingesting'].includes(progress.message!))).toBe(true);
    expect(seen.some((progress) => progress.message === 'ingesting')).toBe(true);
    expect(await server.fileStatus('big.csv')).toEqual({ path: 'big.csv', state: 'ingested', progress: 1, cached: true });
    expect(await server.total('big')).toBe(sumOf(1_500_000, 1));
  });

  it('cancels an ingestion whose call is cancelled: the file is read where it lies, and ingested again only when asked', async () => {
    server = await dataServer(['--threads', '1']);
    await writeFile(join(server.root, 'big.csv'), csv(1_500_000, 2));
    const cancel = new AbortController();
    const call = server.client.callTool({ name: 'ingest_dataset', arguments: { path: 'big.csv' } }, undefined, {
      signal: cancel.signal,
      onprogress: ({ message }) => message === 'ingesting' && cancel.abort(),
    });
    await expect(call).rejects.toThrow(/abort/i);
    await eventually(async () => expect(await server!.fileStatus('big.csv')).toEqual({ path: 'big.csv', state: 'cancelled', progress: null, cached: false }));
    expect(await server.total('big')).toBe(sumOf(1_500_000, 2));
    expect(await server.ok('describe_dataset', { path: 'big.csv' })).toMatchObject({ rowCount: 1_500_000 });
    expect(await server.fileStatus('big.csv')).toMatchObject({ state: 'cancelled' });
    expect(await server.status()).toMatchObject({ ingestions: 0, contents: [] });
    expect(await server.tables()).toBe(0);
    expect(await server.ok('ingest_dataset', { path: 'big.csv' })).toEqual({ path: 'big.csv', state: 'ingested', progress: 1 });
    expect(await server.total('big')).toBe(sumOf(1_500_000, 2));
  });

  it('cancels a queued ingestion with cancel_ingestion, and lets the one before it finish', async () => {
    server = await dataServer(['--threads', '1']);
    await writeFile(join(server.root, 'first.csv'), csv(600_000, 1));
    await writeFile(join(server.root, 'second.csv'), csv(600_000, 2));
    expect(await server.ok('ingest_dataset', { path: 'first.csv', wait: false })).toMatchObject({ path: 'first.csv', state: expect.stringMatching(/hashing|queued|ingesting/) });
    expect(await server.ok('ingest_dataset', { path: 'second.csv', wait: false })).toMatchObject({ path: 'second.csv', state: expect.stringMatching(/hashing|queued/) });
    expect(await server.ok('cancel_ingestion', { path: 'second.csv' })).toEqual({ path: 'second.csv', state: 'cancelled', progress: null });
    expect(await server.ok('ingest_dataset', { path: 'first.csv' })).toEqual({ path: 'first.csv', state: 'ingested', progress: 1 });
    expect(await server.fileStatus('second.csv')).toMatchObject({ state: 'cancelled', cached: false });
    expect(await server.total('second')).toBe(sumOf(600_000, 2));
    expect(await server.status()).toMatchObject({ ingestions: 1 });
    const refused = (await server.client.callTool({ name: 'cancel_ingestion', arguments: { path: 'nope.csv' } })) as CallToolResult;
    expect(refused).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('There is no dataset "nope.csv"') }] });
  });

  it('gives up an ingestion that runs past --ingest-timeout, and says so: the file is read where it lies', async () => {
    server = await dataServer(['--threads', '1', '--ingest-timeout', '0.3']);
    await writeFile(join(server.root, 'big.csv'), csv(1_500_000, 3));
    const result = (await server.client.callTool({ name: 'ingest_dataset', arguments: { path: 'big.csv' } })) as CallToolResult;
    expect(result).toMatchObject({ isError: true, content: [{ text: '"big.csv" was not ingested: Cancelled: it ran longer than 0.3 s, the limit of this server. Questions about it read the file where it lies.' }] });
    expect(await server.fileStatus('big.csv')).toMatchObject({ state: 'failed', progress: null, cached: false });
    expect(await server.total('big')).toBe(sumOf(1_500_000, 3));
    expect(await server.tables()).toBe(0);
  });

  it('analyses a file larger than its memory limit by spilling to disk instead of failing', async () => {
    server = await dataServer(['--memory-limit', '48MB', '--threads', '1']);
    const content = csv(3_000_000, 1);
    expect(Buffer.byteLength(content)).toBeGreaterThan(1.5 * 48 * 2 ** 20);
    await writeFile(join(server.root, 'big.csv'), content);
    // Ingested first: a question that ran beside the ingestion would share the little memory there is with it.
    expect(await server.ok('ingest_dataset', { path: 'big.csv' })).toMatchObject({ state: 'ingested' });
    // A group per row, then sorted: the hash table and the sort each take more than the memory limit.
    const { rows } = await server.ok('query', { sql: 'SELECT count(*) AS notes, max(total) AS most FROM (SELECT note, sum(amount) AS total FROM big GROUP BY note ORDER BY note)' });
    expect(rows).toEqual([{ notes: expect.any(Number), most: expect.any(Number) }]);
    expect(rows[0].notes).toBeGreaterThan(2_900_000);
  });

  it('keeps within its limit by evicting the least recently used entry, whose view reads its file again', async () => {
    // Large enough that an entry spans many of DuckDB's 256 KB blocks: the bookkeeping beside the
    // tables moves the space used by a block or two from one run to the next.
    const rows = 300_000;
    const files = [['a', 1], ['b', 2], ['c', 3]] as const;
    const ingest = async (on: DataServer, view: string, count: number) => {
      await on.total(view);
      await eventually(async () => {
        expect((await on.status()).ingestions).toBe(count);
        expect(await on.cached(`${view}.csv`)).toBe(true);
      }, 20_000);
    };
    // The space measured once it holds still: on a busy machine the write-out (CHECKPOINT) that makes it count can come a second or more later.
    const settledBytes = async (on: DataServer) => {
      for (let last = -1; ; await sleep(1_200)) {
        const { bytes } = await on.status();
        if (bytes === last) return bytes;
        last = bytes;
      }
    };
    // What one and two entries take, with no limit to speak of; the limit is two and a half.
    const probe = await dataServer();
    for (const [name, factor] of files) await writeFile(join(probe.root, `${name}.csv`), csv(rows, factor));
    await ingest(probe, 'a', 1);
    const oneEntry = await settledBytes(probe);
    await ingest(probe, 'b', 2);
    const twoEntries = await settledBytes(probe);
    await probe.close();

    server = await dataServer(['--cache-limit', `${Math.ceil((twoEntries + (twoEntries - oneEntry) / 2) / 1024)}KiB`]);
    for (const [name, factor] of files) await writeFile(join(server.root, `${name}.csv`), csv(rows, factor));
    await ingest(server, 'a', 1);
    await ingest(server, 'b', 2);
    expect((await server.status()).contents).toHaveLength(2);
    await server.total('a'); // a is now used more recently than b
    await ingest(server, 'c', 3);
    // Within the limit once the new table is written out (a query beside the ingestion can hold that off a little).
    await eventually(async () => expect((await server!.status()).contents).toHaveLength(2), 20_000);
    const status = await server.status();
    expect(status.contents).toHaveLength(2);
    expect(await server.tables()).toBe(2);
    expect(status.bytes).toBeLessThanOrEqual(status.limitBytes);
    expect(Object.fromEntries(status.files.map((file) => [file.path, file.cached]))).toEqual({ 'a.csv': true, 'b.csv': false, 'c.csv': true });
    expect(await server.total('b')).toBe(sumOf(rows, 2));
  });

  it('runs without the cache, answering all the same, when another process holds the cache', async () => {
    server = await dataServer();
    await writeFile(join(server.root, 'sales.csv'), csv(1_000, 1));
    expect((await server.status()).enabled).toBe(true);
    const second = new Client({ name: 'test', version: '1.0.0' });
    await second.connect(new StdioClientTransport({ command: process.execPath, args: [main, '--root', server.root, '--cache', server.cache], stderr: 'ignore' }));
    try {
      const call = async (name: string, args: Record<string, unknown> = {}) => ((await second.callTool({ name, arguments: args })) as CallToolResult).structuredContent as Record<string, any>;
      expect((await call('cache_status')).enabled).toBe(false);
      expect((await call('query', { sql: 'SELECT sum(amount) AS total FROM sales' })).rows).toEqual([{ total: sumOf(1_000, 1) }]);
    } finally {
      await second.close();
    }
  });

  it('refuses a cache folder inside the data folder, and makes nothing there', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dfc-cache-data-'));
    try {
      const client = new Client({ name: 'test', version: '1.0.0' });
      await expect(client.connect(new StdioClientTransport({ command: process.execPath, args: [main, '--root', root, '--cache', join(root, '.cache')], stderr: 'ignore' }))).rejects.toThrow();
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
