import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { readCommandLine, serve, usageError } from '../common/serve.js';
import { ColumnarCache } from './columnar-cache.js';
import { createDataServer } from './data-server.js';
import { Datasets } from './datasets.js';
import { Engine } from './engine.js';

const name = 'data server';
const usage = `Usage: node dist/servers/data/main.js --root <dir> [--http <port>] [--memory-limit 640MB] [--threads 2] [--timeout 30] [--max-rows 1000] [--cache <dir>] [--cache-limit 2GB] [--ingest-timeout 600]
  --root          the data folder (created if missing); every data file under it is a view
  --http          serve Streamable HTTP on 127.0.0.1:<port> (path /mcp) instead of stdio
  --memory-limit  DuckDB's memory limit; larger work spills to a private temporary folder (the default keeps
                  the server's peak RSS near 1 GB: DuckDB allocates some memory outside it)
  --threads       DuckDB's threads
  --timeout       seconds one query may run before it is cancelled
  --max-rows      the most rows one tool result holds
  --cache         a folder outside the data folder (created if missing) for the columnar cache: each CSV, TSV
                  or JSON file is ingested once, by content, into DuckDB's own storage there; without it, every
                  query reads the files where they lie
  --cache-limit   the most space the cache's tables take; the least recently used go first
  --ingest-timeout  seconds one file's ingestion into the cache may take before it is cancelled (the file is
                  read where it lies then)`;

const sizeUnits: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** A size such as 512MB or 2GiB, in bytes. */
function bytesOf(option: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(value);
  if (!match) fail(`--${option} must be a size such as 512MB or 2GB (got "${value}")`);
  return Math.floor(Number(match[1]) * sizeUnits[match[2]!.toLowerCase()]!);
}

function fail(message: string): never {
  return usageError(name, usage, message);
}

function positive(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(Number.isFinite(number) && number > 0)) fail(`--${option} must be a positive number (got "${value}")`);
  return number;
}

const { root: rootOption, port, options } = readCommandLine(name, usage, { strings: ['memory-limit', 'threads', 'timeout', 'max-rows', 'cache', 'cache-limit', 'ingest-timeout'] });
const memoryLimit = (options['memory-limit'] as string | undefined) ?? '640MB';
bytesOf('memory-limit', memoryLimit);
const cacheLimitBytes = bytesOf('cache-limit', (options['cache-limit'] as string | undefined) ?? '2GB');
const threads = Math.floor(positive('threads', options.threads as string | undefined, 2));
const timeoutMs = positive('timeout', options.timeout as string | undefined, 30) * 1000;
const ingestTimeoutMs = positive('ingest-timeout', options['ingest-timeout'] as string | undefined, 600) * 1000;
const maxRows = Math.floor(positive('max-rows', options['max-rows'] as string | undefined, 1000));

mkdirSync(resolve(rootOption), { recursive: true });
const root = realpathSync(resolve(rootOption));
const overlaps = (folder: string) => folder === root || folder.startsWith(`${root}${sep}`) || root.startsWith(`${folder}${sep}`);
let cacheFile: string | undefined;
if (typeof options.cache === 'string') {
  // Checked before the folder is made (nothing is left in the data folder), and again once links are resolved.
  if (overlaps(resolve(options.cache))) fail('--cache must be a folder outside the data folder, and not one that holds it');
  mkdirSync(resolve(options.cache), { recursive: true });
  const cacheFolder = realpathSync(resolve(options.cache));
  if (overlaps(cacheFolder)) fail('--cache must be a folder outside the data folder, and not one that holds it');
  cacheFile = join(cacheFolder, 'columnar.duckdb');
}
const tempDirectory = mkdtempSync(join(tmpdir(), 'dataflow-data-'));

/** The engine, with the columnar cache when it can be had: without it (its file locked by another process, say) every query still runs, on the files themselves. */
async function start(): Promise<{ engine: Engine; cache?: ColumnarCache }> {
  if (cacheFile) {
    let engine: Engine | undefined;
    try {
      engine = await Engine.open({ root, tempDirectory, memoryLimit, threads, timeoutMs, ingestTimeoutMs, cacheFile });
      return { engine, cache: await ColumnarCache.open(engine, cacheLimitBytes) };
    } catch (error) {
      engine?.close();
      process.stderr.write(`${name}: runs without its columnar cache (${cacheFile}): ${(error as Error).message.split('\n')[0]}\n`);
    }
  }
  return { engine: await Engine.open({ root, tempDirectory, memoryLimit, threads, timeoutMs }) };
}

let engine: Engine;
let cache: ColumnarCache | undefined;
try {
  ({ engine, cache } = await start());
} catch (error) {
  rmSync(tempDirectory, { recursive: true, force: true });
  fail(`cannot start DuckDB: ${(error as Error).message}`);
}
const context = { engine, datasets: new Datasets(engine, root, cache), maxRows };

await serve({
  name,
  serving: root,
  create: () => createDataServer(context),
  port,
  stop: () => {
    engine.close();
    rmSync(tempDirectory, { recursive: true, force: true });
  },
});
