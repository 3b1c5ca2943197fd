import { access, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { resultOf } from '../../common/tool-result.js';
import { type DataContext, guarded } from '../context.js';
import { maxSqlLength, sqlString, ToolError } from '../engine.js';

/** Exports go here, inside the data folder. */
export const exportFolder = 'exports';
/** A worksheet holds at most this many rows below its header. */
const maxSheetRows = 1_048_575;

const copyOptions = { csv: `(FORMAT csv, HEADER true)`, parquet: `(FORMAT parquet)`, json: `(FORMAT json, ARRAY true)` } as const;

export function registerExportResult(server: McpServer, context: DataContext): void {
  server.registerTool(
    'export_result',
    {
      title: 'Export a query result to a file',
      description: `Run one SELECT and write its whole result into the data folder (under ${exportFolder}/) as CSV, Excel, Parquet or JSON. Returns the new file's path. An existing file is never overwritten.`,
      inputSchema: {
        sql: z.string().min(1).max(maxSqlLength).describe('one SELECT statement'),
        format: z.enum(['csv', 'xlsx', 'parquet', 'json']),
        name: z.string().regex(/^[\w][\w .-]{0,99}$/, 'letters, digits, spaces, dots, dashes and underscores, starting with a letter or digit').describe('the file name, without the folder'),
      },
      outputSchema: { path: z.string().describe('relative to the data folder'), rows: z.number(), bytes: z.number() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ sql, format, name }) =>
      guarded(async () => {
        const fileName = name.toLowerCase().endsWith(`.${format}`) ? name : `${name}.${format}`;
        const path = `${exportFolder}/${fileName}`;
        const absolute = join(context.engine.options.root, exportFolder, fileName);
        if (await access(absolute).then(() => true, () => false)) throw new ToolError(`"${path}" exists already; choose another name (exports never overwrite a file).`);
        await context.datasets.list();
        await context.engine.columnsOf(sql);
        await mkdir(join(context.engine.options.root, exportFolder), { recursive: true });
        let rows: number;
        if (format === 'xlsx') {
          const result = await context.engine.select(sql, maxSheetRows);
          if (result.truncated) throw new ToolError(`The result has ${result.rowCount} rows; an Excel sheet holds ${maxSheetRows}. Export it as CSV or Parquet instead.`);
          const workbook = new ExcelJS.Workbook();
          const sheet = workbook.addWorksheet('result');
          sheet.addRow(result.columns.map((column) => column.name));
          for (const row of result.rows) sheet.addRow(result.columns.map((column) => cell(row[column.name])));
          await workbook.xlsx.writeFile(absolute);
          rows = result.rows.length;
        } else {
          // COPY reports how many rows it wrote: the query runs once.
          rows = await context.engine.execute(`COPY (${sql}) TO ${sqlString(absolute)} ${copyOptions[format]}`);
        }
        return resultOf({ path, rows, bytes: (await stat(absolute)).size });
      }),
  );
}

function cell(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
