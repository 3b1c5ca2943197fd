import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';
import { type Column, type QueryResult, sqlIdentifier, ToolError } from '../engine.js';

const numeric = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;
const bins = 10;

const profileShape = z.object({
  name: z.string(),
  type: z.string(),
  nullCount: z.number(),
  distinctCount: z.number(),
  min: z.unknown(),
  max: z.unknown(),
  mean: z.number().nullable().optional(),
  quantiles: z.object({ p05: z.unknown(), p25: z.unknown(), p50: z.unknown(), p75: z.unknown(), p95: z.unknown() }).optional(),
  topValues: z.array(z.object({ value: z.unknown(), count: z.number() })),
  histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })).optional(),
});
type Profile = z.infer<typeof profileShape>;

export function registerProfileDataset(server: McpServer, context: DataContext): void {
  server.registerTool(
    'profile_dataset',
    {
      title: 'Profile a dataset',
      description:
        'Per column: null and distinct counts, min, max, the five most common values; for numeric columns also the mean, quantiles and a histogram of 10 bins.',
      inputSchema: {
        path: z.string().min(1).max(1024).describe('the dataset, relative to the data folder'),
        columns: z.array(z.string().min(1)).max(200).optional().describe('the columns to profile (default: all)'),
      },
      outputSchema: { path: z.string(), rowCount: z.number(), columns: z.array(profileShape) },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ path, columns }) =>
      guarded(async () => {
        const dataset = await context.datasets.get(path);
        const view = sqlIdentifier(dataset.view);
        const all = (await context.engine.read(`SELECT * FROM ${view} LIMIT 0`)).columns;
        const missing = (columns ?? []).filter((name) => !all.some((column) => column.name === name));
        if (missing.length) throw new ToolError(`"${dataset.path}" has no column ${missing.map((name) => `"${name}"`).join(', ')}. Its columns: ${all.map((c) => c.name).join(', ')}.`);
        const chosen = columns ? all.filter((column) => columns.includes(column.name)) : all;
        // One pass over the file into a temporary columnar table; every statistic then reads that. A
        // file in the columnar cache is such a table already, and a copy would only take memory.
        return context.engine.session(async (read) => {
          await read(`CREATE TEMP ${dataset.ingested ? 'VIEW' : 'TABLE'} profiled AS SELECT ${chosen.map((column) => sqlIdentifier(column.name)).join(', ')} FROM ${view}`);
          const rowCount = Number((await read('SELECT count(*) AS n FROM profiled')).rows[0].n);
          const profiles = [];
          for (const column of chosen) profiles.push(await profileColumn(read, column));
          return resultOf({ path: dataset.path, rowCount, columns: profiles });
        });
      }),
  );
}

type Read = (sql: string) => Promise<QueryResult>;

/** The statistics of one column of the temporary table `profiled`. */
async function profileColumn(read: Read, column: Column): Promise<Profile> {
  const c = sqlIdentifier(column.name);
  const isNumeric = numeric.test(column.type);
  const stats = (
    await read(
      `SELECT count(*) - count(${c}) AS nulls, count(DISTINCT ${c}) AS distinct_count, min(${c})::VARCHAR AS min, max(${c})::VARCHAR AS max` +
        (isNumeric ? `, avg(${c})::DOUBLE AS mean, min(${c})::DOUBLE AS lo, max(${c})::DOUBLE AS hi, quantile_cont(${c}, [0.05, 0.25, 0.5, 0.75, 0.95])::DOUBLE[] AS q` : '') +
        ' FROM profiled',
    )
  ).rows[0];
  const top = await read(`SELECT ${c}::VARCHAR AS value, count(*) AS count FROM profiled GROUP BY ${c} ORDER BY count DESC, value LIMIT 5`);
  const profile: Profile = {
    name: column.name,
    type: column.type,
    nullCount: Number(stats.nulls),
    distinctCount: Number(stats.distinct_count),
    min: isNumeric ? stats.lo : stats.min,
    max: isNumeric ? stats.hi : stats.max,
    topValues: top.rows.map((row) => ({ value: row.value, count: Number(row.count) })),
  };
  if (!isNumeric || stats.lo === null) return profile;
  const [p05, p25, p50, p75, p95] = stats.q as number[];
  const lo = stats.lo as number;
  const hi = stats.hi as number;
  const spread = hi > lo;
  const width = spread ? (hi - lo) / bins : 1;
  const counts = await read(`SELECT least(floor((${c}::DOUBLE - ${lo}) / ${width}), ${bins - 1})::INTEGER AS bin, count(*) AS count FROM profiled WHERE ${c} IS NOT NULL GROUP BY bin`);
  const byBin = new Map(counts.rows.map((row) => [Number(row.bin), Number(row.count)]));
  return {
    ...profile,
    mean: stats.mean as number,
    quantiles: { p05, p25, p50, p75, p95 },
    histogram: Array.from({ length: spread ? bins : 1 }, (_, bin) => ({ from: lo + bin * width, to: spread ? lo + (bin + 1) * width : hi, count: byBin.get(bin) ?? 0 })),
  };
}
