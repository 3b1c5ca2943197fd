import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Database } from '../database.js';
import { guarded, resultOf } from './tool-result.js';

const column = z.object({ cid: z.number(), name: z.string(), type: z.string(), notnull: z.number(), dflt_value: z.unknown(), pk: z.number() });

export function registerDescribeTable(server: McpServer, database: Database): void {
  server.registerTool(
    'describe_table',
    {
      title: 'Describe a table',
      description: 'Get the schema information for a specific table',
      inputSchema: { table_name: z.string().min(1).max(256).describe('Name of the table to describe') },
      outputSchema: { columns: z.array(column) },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ table_name }) =>
      guarded(() => {
        // The table-valued pragma is a SELECT, so it runs under the read authorizer, with the name bound.
        const { rows } = database.run('read', 'SELECT cid, name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)', [table_name]);
        if (rows.length === 0) return { content: [{ type: 'text', text: `There is no table named "${table_name}"` }], isError: true };
        return resultOf({ columns: rows as z.infer<typeof column>[] });
      }),
  );
}
