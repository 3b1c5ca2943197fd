import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';

export function registerCacheStatus(server: McpServer, context: DataContext): void {
  server.registerTool(
    'cache_status',
    {
      title: 'Columnar cache status',
      description:
        'Which CSV, TSV and JSON files are already ingested into the columnar cache (their questions read DuckDB tables instead of parsing the file) and which are still read where they lie, with the space the cache takes. Ingestion starts by itself the first time a file is described, profiled or queried.',
      inputSchema: {},
      outputSchema: {
        enabled: z.boolean().describe('whether this server runs with a columnar cache'),
        files: z.array(z.object({ path: z.string(), cached: z.boolean() })).describe('the files the cache takes, and whether their views read it yet'),
        ingestions: z.number().describe('ingestions since the server started: each content is ingested once'),
        contents: z.array(z.string()).describe('the sha256 of each content the cache holds'),
        bytes: z.number().describe('the space the cache takes'),
        limitBytes: z.number(),
      },
      // Read-only, but not idempotent: the answer changes as ingestions finish, so it is never answered from a cache.
      annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
    },
    () =>
      guarded(async () => {
        const status = await context.datasets.cacheStatus();
        return resultOf(status ? { enabled: true, ...status } : { enabled: false, files: [], ingestions: 0, contents: [], bytes: 0, limitBytes: 0 });
      }),
  );
}
