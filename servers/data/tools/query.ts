import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';
import { maxSqlLength } from '../engine.js';
import { columnShape } from './describe-dataset.js';

export function registerQuery(server: McpServer, context: DataContext): void {
  server.registerTool(
    'query',
    {
      title: 'Query the datasets with SQL',
      description:
        'Run one read-only SQL SELECT (DuckDB dialect) over the datasets. Every file in the data folder is a view named after the file (see list_datasets). Returns the columns, the first rows (capped), the total row count and whether the rows were truncated.',
      inputSchema: {
        sql: z.string().min(1).max(maxSqlLength).describe('one SELECT statement'),
        limit: z.number().int().min(1).max(context.maxRows).default(Math.min(100, context.maxRows)).describe('the most rows to return'),
      },
      outputSchema: {
        columns: z.array(columnShape),
        rows: z.array(z.record(z.string(), z.unknown())),
        rowCount: z.number().describe('every row the query produced'),
        truncated: z.boolean(),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ sql, limit }) =>
      guarded(async () => {
        await context.datasets.list();
        context.datasets.referencedBy(sql);
        return resultOf({ ...(await context.engine.select(sql, limit)) });
      }),
  );
}
