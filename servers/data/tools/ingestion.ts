import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';
import type { IngestionStatus } from '../datasets.js';
import { ToolError } from '../engine.js';

const stateShape = z.enum(['pending', 'hashing', 'queued', 'ingesting', 'ingested', 'cancelled', 'failed']);

const statusShape = {
  path: z.string(),
  state: stateShape.describe(
    'pending: not asked about yet; hashing, queued, ingesting: on its way; ingested: questions read the cache; cancelled, failed: read where it lies until asked again or changed',
  ),
  progress: z.number().nullable().describe('the share done, from 0 to 1, while it runs; 1 once ingested'),
  error: z.string().optional().describe('why it failed'),
};

const pathInput = z.string().min(1).max(1024).describe('the file, relative to the data folder, as list_datasets shows it');

// These tools change only this server's own cache, never a file: read-only for whoever calls them.
// None is idempotent, so that no cache in front of this server answers them with an older state.
const annotations = { readOnlyHint: true, idempotentHint: false, openWorldHint: false };

/** The columnar cache's tools: what it holds, an ingestion asked for and followed, and cancelled. */
export function registerIngestionTools(server: McpServer, context: DataContext): void {
  server.registerTool(
    'cache_status',
    {
      title: 'Columnar cache status',
      description:
        'Where each CSV, TSV and JSON file stands with the columnar cache (ingested: its questions read DuckDB tables instead of parsing the file; or on its way, with progress; or read where it lies), and the space the cache takes. Ingestion starts by itself the first time a file is described, profiled or queried.',
      inputSchema: {},
      outputSchema: {
        enabled: z.boolean().describe('whether this server runs with a columnar cache'),
        files: z.array(z.object({ ...statusShape, cached: z.boolean().describe('whether its questions read the cache now') })).describe('the files the cache takes'),
        ingestions: z.number().describe('ingestions since the server started: each content is ingested once'),
        contents: z.array(z.string()).describe('the sha256 of each content the cache holds'),
        bytes: z.number().describe('the space the cache takes'),
        limitBytes: z.number(),
      },
      annotations,
    },
    () =>
      guarded(async () => {
        const status = await context.datasets.cacheStatus();
        return resultOf(status ? { enabled: true, ...status } : { enabled: false, files: [], ingestions: 0, contents: [], bytes: 0, limitBytes: 0 });
      }),
  );

  server.registerTool(
    'ingest_dataset',
    {
      title: 'Ingest a file into the columnar cache',
      description:
        'Ingests a CSV, TSV or JSON file into the columnar cache now (or joins its ingestion under way), so that questions about it read DuckDB tables. It waits until done, with progress notifications; cancelling the call cancels the ingestion. A cancelled or failed ingestion starts again. Questions never need this: they read the file meanwhile.',
      inputSchema: {
        path: pathInput,
        wait: z.boolean().default(true).describe('wait until it is ingested (false: answer at once with where it stands)'),
      },
      outputSchema: statusShape,
      annotations,
    },
    ({ path, wait }, extra) =>
      guarded(async () => {
        const { progressToken } = extra._meta ?? {};
        let reported = -1;
        const onStatus = ({ state, progress }: IngestionStatus) => {
          if (progressToken === undefined || progress === null || progress === reported) return;
          reported = progress;
          void extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total: 1, message: state } }).catch(() => undefined);
        };
        const cancel = () => void context.datasets.cancelIngestion(path).catch(() => undefined);
        extra.signal.addEventListener('abort', cancel, { once: true });
        try {
          const status = await context.datasets.ingest(path, { wait, onStatus });
          if (status.state === 'failed') throw new ToolError(`"${status.path}" was not ingested: ${status.error?.replace(/\.$/, '')}. Questions about it read the file where it lies.`);
          return statusResult(status);
        } finally {
          extra.signal.removeEventListener('abort', cancel);
        }
      }),
  );

  server.registerTool(
    'cancel_ingestion',
    {
      title: "Cancel a file's ingestion",
      description:
        "Cancels a file's ingestion into the columnar cache, running or queued. The file is read where it lies, and not ingested again until ingest_dataset asks for it or the file changes.",
      inputSchema: { path: pathInput },
      outputSchema: statusShape,
      annotations,
    },
    ({ path }) => guarded(async () => statusResult(await context.datasets.cancelIngestion(path))),
  );
}

const statusResult = (status: IngestionStatus) => resultOf({ ...status });
