import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Database } from '../database.js';
import { guarded, resultOf } from './tool-result.js';

export function registerListTables(server: McpServer, database: Database): void {
  server.registerTool(
    'list_tables',
    {
      title: 'List tables',
      description: 'List all tables in the SQLite database',
      inputSchema: {},
      outputSchema: { tables: z.array(z.string()) },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    () =>
      guarded(() => {
        const { rows } = database.run('read', "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        return resultOf({ tables: rows.map((row) => String(row.name)) });
      }),
  );
}
