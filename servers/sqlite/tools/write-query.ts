import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Database } from '../database.js';
import { guarded, resultOf } from './tool-result.js';

export function registerWriteQuery(server: McpServer, database: Database): void {
  server.registerTool(
    'write_query',
    {
      title: 'Run an INSERT, UPDATE or DELETE',
      description: 'Execute an INSERT, UPDATE, or DELETE query on the SQLite database',
      inputSchema: { query: z.string().min(1).max(100_000).describe('SQL query to execute') },
      outputSchema: { affected_rows: z.number().int() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    ({ query }) => guarded(() => resultOf({ affected_rows: database.run('write', query).changes })),
  );
}
