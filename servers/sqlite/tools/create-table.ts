import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Database } from '../database.js';
import { guarded, resultOf } from './tool-result.js';

export function registerCreateTable(server: McpServer, database: Database): void {
  server.registerTool(
    'create_table',
    {
      title: 'Create a table',
      description: 'Create a new table in the SQLite database',
      inputSchema: { query: z.string().min(1).max(100_000).describe('CREATE TABLE SQL statement') },
      outputSchema: { created: z.boolean(), message: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ query }) =>
      guarded(() => {
        database.run('create-table', query);
        return resultOf({ created: true, message: 'Table created successfully' });
      }),
  );
}
