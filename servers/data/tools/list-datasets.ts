import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';

export const datasetShape = z.object({
  path: z.string().describe('relative to the data folder'),
  format: z.enum(['csv', 'tsv', 'parquet', 'json', 'ndjson', 'xlsx', 'sqlite']),
  size: z.number().describe('bytes'),
  modified: z.string(),
  views: z.array(z.string()).describe('the view to query it by in SQL; a workbook or database has one per sheet or table'),
  error: z.string().optional().describe('why it cannot be queried'),
});

export function registerListDatasets(server: McpServer, context: DataContext): void {
  server.registerTool(
    'list_datasets',
    {
      title: 'List the datasets',
      description: 'The data files in the data folder (CSV, TSV, Parquet, JSON, NDJSON, Excel, SQLite), with their type, size, modified time and the view name to use in SQL.',
      inputSchema: {},
      outputSchema: {
        datasets: z.array(datasetShape),
        skipped: z.array(z.object({ path: z.string(), reason: z.string() })).describe('files that are not offered, and why'),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    () => guarded(async () => resultOf({ ...(await context.datasets.list()) })),
  );
}
