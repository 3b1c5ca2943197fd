import { mkdirSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Database } from './database.js';
import { createSqliteServer } from './sqlite-server.js';

const usage = `Usage: node dist/servers/sqlite/main.js --root <dir> [--db <file name>] [--read-only] [--http <port>]
  --root       the folder that holds the database (created if missing)
  --db         the database file in it (default: data.sqlite)
  --read-only  open the database read-only and offer no writing tools
  --http       serve Streamable HTTP on 127.0.0.1:<port> (path /mcp) instead of stdio`;

function fail(message: string): never {
  process.stderr.write(`sqlite server: ${message}\n\n${usage}\n`);
  process.exit(2);
}

let options: { root?: string; db?: string; 'read-only'?: boolean; http?: string; help?: boolean };
try {
  options = parseArgs({
    options: { root: { type: 'string' }, db: { type: 'string' }, 'read-only': { type: 'boolean' }, http: { type: 'string' }, help: { type: 'boolean' } },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (options.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (!options.root) fail('--root is required');
const fileName = options.db ?? 'data.sqlite';
if (!/^[\w.-]{1,128}$/.test(fileName) || fileName.startsWith('.')) fail(`--db must be a plain file name inside the root (got "${fileName}")`);
const port = options.http === undefined ? undefined : Number(options.http);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536)) fail(`--http must be a port number (got "${options.http}")`);

mkdirSync(resolve(options.root), { recursive: true });
const root = realpathSync(resolve(options.root));
let database: Database;
try {
  database = new Database(join(root, fileName), options['read-only'] ?? false);
} catch (error) {
  fail(`cannot open ${join(root, fileName)}: ${(error as Error).message}`);
}

if (port === undefined) {
  await createSqliteServer(database).connect(new StdioServerTransport());
  process.stderr.write(`sqlite server: ${database.path}${database.readOnly ? ' (read-only)' : ''} on stdio\n`);
} else {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (request, response) => {
    if (!request.url?.startsWith('/mcp')) return void response.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      return void response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not JSON' }, id: null }));
    }
    const sessionId = request.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (typeof sessionId === 'string' && !transport) {
      return void response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
    }
    if (!transport) {
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id: string) => void sessions.set(id, created),
      });
      created.onclose = () => void (created.sessionId && sessions.delete(created.sessionId));
      await createSqliteServer(database).connect(created);
      transport = created;
    }
    await transport!.handleRequest(request, response, body);
  });
  http.listen(port, '127.0.0.1', () => process.stderr.write(`sqlite server: ${database.path} on http://127.0.0.1:${port}/mcp\n`));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    database.close();
    process.exit(0);
  });
}
