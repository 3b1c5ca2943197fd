import { mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCommandLine, serve, usageError } from '../common/serve.js';
import { Database } from './database.js';
import { createSqliteServer } from './sqlite-server.js';

const name = 'sqlite server';
const usage = `Usage: node dist/servers/sqlite/main.js --root <dir> [--db <file name>] [--read-only] [--http <port>]
  --root       the folder that holds the database (created if missing)
  --db         the database file in it (default: data.sqlite)
  --read-only  open the database read-only and offer no writing tools
  --http       serve Streamable HTTP on 127.0.0.1:<port> (path /mcp) instead of stdio`;

function fail(message: string): never {
  return usageError(name, usage, message);
}

const { root: rootOption, port, options } = readCommandLine(name, usage, { strings: ['db'], booleans: ['read-only'] });
const fileName = (options.db as string | undefined) ?? 'data.sqlite';
if (!/^[\w.-]{1,128}$/.test(fileName) || fileName.startsWith('.')) fail(`--db must be a plain file name inside the root (got "${fileName}")`);

mkdirSync(resolve(rootOption), { recursive: true });
const root = realpathSync(resolve(rootOption));
let database: Database;
try {
  database = new Database(join(root, fileName), options['read-only'] === true);
} catch (error) {
  fail(`cannot open ${join(root, fileName)}: ${(error as Error).message}`);
}

await serve({
  name,
  serving: `${database.path}${database.readOnly ? ' (read-only)' : ''}`,
  create: () => createSqliteServer(database),
  port,
  stop: () => database.close(),
});
