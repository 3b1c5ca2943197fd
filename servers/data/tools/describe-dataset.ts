import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';
import { sqlIdentifier } from '../engine.js';

export const columnShape = z.object({ name: z.string(), type: z.string() });

export function registerDescribeDataset(server: McpServer, context: DataContext): void {
  server.registerTool(
    'describe_dataset',
    {
      title: 'Describe a dataset',
      description: 'Columns with their inferred types, the row count and the first rows of one dataset.',
      inputSchema: {
        path: z.string().min(1).max(1024).describe('the dataset, relative to the data folder, as list_datasets shows it'),
        rows: z.number().int().min(0).max(100).default(5).describe('how many of the first rows to show'),
      },
      outputSchema: {
        path: z.string(),
        view: z.string(),
        format: z.string(),
        rowCount: z.number(),
        columns: z.array(columnShape),
        firstRows: z.array(z.record(z.string(), z.unknown())),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ path, rows }) =>
      guarded(async () => {
        const dataset = await context.datasets.get(path);
        const view = sqlIdentifier(dataset.view);
        const [first, count] = await Promise.all([context.engine.read(`SELECT * FROM ${view} LIMIT ${rows}`), context.engine.read(`SELECT count(*) AS n FROM ${view}`)]);
        return resultOf({ path: dataset.path, view: dataset.view, format: dataset.format, rowCount: Number(count.rows[0].n), columns: first.columns, firstRows: first.rows });
      }),
  );
}
