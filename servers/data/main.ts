import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCommandLine, serve, usageError } from '../common/serve.js';
import { createDataServer } from './data-server.js';
import { Datasets } from './datasets.js';
import { Engine } from './engine.js';

const name = 'data server';
const usage = `Usage: node dist/servers/data/main.js --root <dir> [--http <port>] [--memory-limit 1GB] [--threads 2] [--timeout 30] [--max-rows 1000]
  --root          the data folder (created if missing); every data file under it is a view
  --http          serve Streamable HTTP on 127.0.0.1:<port> (path /mcp) instead of stdio
  --memory-limit  DuckDB's memory limit; larger work spills to a private temporary folder
  --threads       DuckDB's threads
  --timeout       seconds one query may run before it is cancelled
  --max-rows      the most rows one tool result holds`;

function fail(message: string): never {
  return usageError(name, usage, message);
}

function positive(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(Number.isFinite(number) && number > 0)) fail(`--${option} must be a positive number (got "${value}")`);
  return number;
}

const { root: rootOption, port, options } = readCommandLine(name, usage, { strings: ['memory-limit', 'threads', 'timeout', 'max-rows'] });
const memoryLimit = (options['memory-limit'] as string | undefined) ?? '1GB';
if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) fail(`--memory-limit must be a size such as 512MB or 2GB (got "${memoryLimit}")`);
const threads = Math.floor(positive('threads', options.threads as string | undefined, 2));
const timeoutMs = positive('timeout', options.timeout as string | undefined, 30) * 1000;
const maxRows = Math.floor(positive('max-rows', options['max-rows'] as string | undefined, 1000));

mkdirSync(resolve(rootOption), { recursive: true });
const root = realpathSync(resolve(rootOption));
const tempDirectory = mkdtempSync(join(tmpdir(), 'dataflow-data-'));
let engine: Engine;
try {
  engine = await Engine.open({ root, tempDirectory, memoryLimit, threads, timeoutMs });
} catch (error) {
  rmSync(tempDirectory, { recursive: true, force: true });
  fail(`cannot start DuckDB: ${(error as Error).message}`);
}
const context = { engine, datasets: new Datasets(engine, root), maxRows };

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
