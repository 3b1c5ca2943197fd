import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { guarded as guardedBy } from '../common/tool-result.js';
import type { Datasets } from './datasets.js';
import { type Engine, ToolError } from './engine.js';

/** What every tool of the data server works with. */
export interface DataContext {
  engine: Engine;
  datasets: Datasets;
  /** The most rows a tool returns in one result. */
  maxRows: number;
}

function describe(error: unknown): string {
  return error instanceof ToolError ? error.message : `Data server error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A tool's work; a ToolError is an `isError` result the model can read and correct. */
export function guarded(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  return guardedBy(work, describe);
}
