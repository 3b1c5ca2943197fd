import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Database } from '../database.js';
import { guarded, resultOf } from './tool-result.js';

export function registerReadQuery(server: McpServer, database: Database): void {
  server.registerTool(
    'read_query',
    {
      title: 'Run a SELECT query',
      description: 'Execute a SELECT query on the SQLite database',
      inputSchema: { query: z.string().min(1).max(100_000).describe('SELECT SQL query to execute') },
      outputSchema: { rows: z.array(z.record(z.string(), z.unknown())) },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ query }) => guarded(() => resultOf({ rows: database.run('read', query).rows.map(plain) })),
  );
}

/** Rows as JSON can carry them: BLOBs as base64, 64-bit integers as numbers when they fit. */
export function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : typeof value === 'bigint' ? Number(value) : value,
    ]),
  );
}
