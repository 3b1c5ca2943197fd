import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';
import { maxSqlLength, sqlIdentifier, ToolError } from '../engine.js';

/** The most data points inlined in a chart. */
export const maxChartPoints = 5_000;

const aggregates = { sum: 'sum', mean: 'avg', count: 'count', min: 'min', max: 'max', median: 'median' } as const;
const temporal = /^(DATE|TIMESTAMP|TIME)/;
const quantitative = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U?(TINY|SMALL|BIG|HUGE)?INT|UINTEGER|FLOAT|DOUBLE|DECIMAL)/;

export function registerChart(server: McpServer, context: DataContext): void {
  server.registerTool(
    'chart',
    {
      title: 'Chart a query or a dataset',
      description:
        'A Vega-Lite v5 spec with its data inlined, from a SELECT (sql) or a dataset (path). With `aggregate`, y is aggregated per x (and color) in SQL first. The data is capped at 5,000 points.',
      inputSchema: {
        sql: z.string().min(1).max(maxSqlLength).optional().describe('one SELECT statement to chart'),
        dataset: z.string().min(1).max(1024).optional().describe('or a dataset path, relative to the data folder'),
        mark: z.enum(['bar', 'line', 'area', 'point', 'tick', 'arc']),
        x: z.string().min(1).describe('column for the x axis (or the categories of an arc)'),
        y: z.string().min(1).optional().describe('column for the y axis; optional with aggregate "count"'),
        color: z.string().min(1).optional().describe('column that colours the marks'),
        aggregate: z.enum(['sum', 'mean', 'count', 'min', 'max', 'median']).optional(),
        title: z.string().max(200).optional(),
      },
      outputSchema: { spec: z.record(z.string(), z.unknown()), points: z.number(), truncated: z.boolean() },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        if ((input.sql === undefined) === (input.dataset === undefined)) throw new ToolError('Give either sql or dataset, not both and not neither.');
        // Looking up the dataset brings the views up to date; SQL of the caller's own needs them brought up first.
        let source: string;
        if (input.dataset !== undefined) source = `SELECT * FROM ${sqlIdentifier((await context.datasets.get(input.dataset)).view)}`;
        else {
          await context.datasets.list();
          source = input.sql!;
        }
        const columns = await context.engine.columnsOf(source);
        const typeOf = (name: string | undefined) => {
          if (name === undefined) return undefined;
          const column = columns.find((candidate) => candidate.name === name);
          if (!column) throw new ToolError(`There is no column "${name}" to chart. The columns: ${columns.map((c) => c.name).join(', ')}.`);
          return column.type;
        };
        const [xType, yType] = [typeOf(input.x), typeOf(input.y), typeOf(input.color)];
        if (input.y === undefined && input.aggregate !== 'count') throw new ToolError('Give y, or use aggregate "count".');
        const x = sqlIdentifier(input.x);
        const color = input.color === undefined ? undefined : sqlIdentifier(input.color);
        const groups = [x, ...(color ? [color] : [])];
        const yField = input.aggregate ? `${input.aggregate}_${input.y ?? 'rows'}` : input.y!;
        const sql = input.aggregate
          ? `SELECT ${groups.join(', ')}, ${aggregates[input.aggregate]}(${input.y === undefined ? '*' : sqlIdentifier(input.y)}) AS ${sqlIdentifier(yField)} FROM (${source}) GROUP BY ${groups.join(', ')} ORDER BY ${x}`
          : `SELECT ${[...groups, sqlIdentifier(input.y!)].join(', ')} FROM (${source})`;
        const result = await context.engine.select(sql, maxChartPoints);
        const encodingType = (type: string | undefined) => (type && temporal.test(type) ? 'temporal' : type && quantitative.test(type) ? 'quantitative' : 'nominal');
        const yEncoding = { field: yField, type: input.aggregate ? 'quantitative' : encodingType(yType) };
        const spec = {
          $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
          ...(input.title ? { title: input.title } : {}),
          data: { values: result.rows },
          mark: { type: input.mark, tooltip: true },
          encoding:
            input.mark === 'arc'
              ? { theta: yEncoding, color: { field: input.x, type: 'nominal' } }
              : {
                  x: { field: input.x, type: encodingType(xType) },
                  y: yEncoding,
                  ...(input.color ? { color: { field: input.color, type: 'nominal' } } : {}),
                },
        };
        return resultOf({ spec, points: result.rows.length, truncated: result.truncated });
      }),
  );
}
