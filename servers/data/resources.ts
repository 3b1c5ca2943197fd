import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { DataContext } from './context.js';
import { sqlIdentifier } from './engine.js';

const scheme = 'dataset:///';

/** One resource per dataset (`dataset:///<path>`): its views, columns and row counts, as JSON. */
export function registerDatasetResources(server: McpServer, context: DataContext): void {
  server.registerResource(
    'dataset',
    new ResourceTemplate(`${scheme}{+path}`, {
      list: async () => ({
        resources: (await context.datasets.list()).datasets.map((dataset) => ({
          uri: `${scheme}${dataset.path}`,
          name: dataset.path,
          mimeType: 'application/json',
          description: `${dataset.format} dataset, ${dataset.size} bytes${dataset.error ? ` (cannot be queried: ${dataset.error})` : ''}`,
        })),
      }),
    }),
    { title: 'A dataset and its schema', description: 'The schema of one dataset of the data folder', mimeType: 'application/json' },
    async (uri, { path }) => {
      const dataset = await context.datasets.get(decodeURIComponent(String(path)));
      const views = [];
      for (const view of dataset.views) {
        const { columns } = await context.engine.read(`SELECT * FROM ${sqlIdentifier(view)} LIMIT 0`);
        const { rows } = await context.engine.read(`SELECT count(*) AS n FROM ${sqlIdentifier(view)}`);
        views.push({ view, rowCount: Number(rows[0].n), columns });
      }
      const schema = { path: dataset.path, format: dataset.format, size: dataset.size, modified: dataset.modified, views };
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(schema, null, 2) }] };
    },
  );
}
