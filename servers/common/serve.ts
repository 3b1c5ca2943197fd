import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface ServeOptions {
  /** The server's name in its messages, e.g. `sqlite server`. */
  name: string;
  /** What it serves, for its start-up line. */
  serving: string;
  /** A new MCP server for each session (HTTP) or the one stdio connection. */
  create: () => McpServer;
  /** Serve Streamable HTTP on 127.0.0.1 at this port (path /mcp); stdio when absent. */
  port?: number;
  /** Runs before the process exits on SIGINT or SIGTERM. */
  stop?: () => void | Promise<void>;
}

function jsonRpcError(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/** Runs a first-party MCP server over stdio, or over Streamable HTTP with one session per client. */
export async function serve(options: ServeOptions): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      void Promise.resolve(options.stop?.()).finally(() => process.exit(0));
    });
  }
  if (options.port === undefined) {
    await options.create().connect(new StdioServerTransport());
    process.stderr.write(`${options.name}: ${options.serving} on stdio\n`);
    return;
  }
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (request, response) => {
    if (!request.url?.startsWith('/mcp')) return void response.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      return void response.writeHead(400, { 'content-type': 'application/json' }).end(jsonRpcError(-32700, 'Parse error: the body is not JSON'));
    }
    const sessionId = request.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (typeof sessionId === 'string' && !transport) {
      return void response.writeHead(404, { 'content-type': 'application/json' }).end(jsonRpcError(-32001, 'Session not found'));
    }
    if (!transport) {
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id: string) => void sessions.set(id, created),
      });
      created.onclose = () => void (created.sessionId && sessions.delete(created.sessionId));
      await options.create().connect(created);
      transport = created;
    }
    await transport.handleRequest(request, response, body);
  });
  await new Promise<void>((resolve) => http.listen(options.port, '127.0.0.1', resolve));
  process.stderr.write(`${options.name}: ${options.serving} on http://127.0.0.1:${options.port}/mcp\n`);
}

/** Ends the process with a usage error (exit code 2). */
export function usageError(name: string, usage: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n\n${usage}\n`);
  process.exit(2);
}

/** A `--http` value as a port number, or undefined when absent. */
export function portOption(name: string, usage: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!(Number.isInteger(port) && port > 0 && port < 65_536)) usageError(name, usage, `--http must be a port number (got "${value}")`);
  return port;
}

/**
 * Reads a server's command line. `--root` and `--http` are always there; `--help` prints the usage
 * and exits; an unknown option, or no `--root`, ends with a usage error.
 */
export function readCommandLine(
  name: string,
  usage: string,
  extra: { strings?: string[]; booleans?: string[] } = {},
): { root: string; port?: number; options: Record<string, string | boolean | undefined> } {
  const config = Object.fromEntries([
    ...['root', 'http', ...(extra.strings ?? [])].map((option) => [option, { type: 'string' as const }]),
    ...['help', ...(extra.booleans ?? [])].map((option) => [option, { type: 'boolean' as const }]),
  ]);
  let options: Record<string, string | boolean | undefined>;
  try {
    options = parseArgs({ options: config }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    return usageError(name, usage, (error as Error).message);
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (typeof options.root !== 'string' || !options.root) return usageError(name, usage, '--root is required');
  return { root: options.root, port: portOption(name, usage, options.http as string | undefined), options };
}
