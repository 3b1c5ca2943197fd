import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { guarded as guardedBy } from '../../common/tool-result.js';
import { RefusedStatement } from '../database.js';

export { resultOf } from '../../common/tool-result.js';

/** A refused statement speaks for itself; anything else is an SQLite error. */
function describe(error: unknown): string {
  return error instanceof RefusedStatement ? error.message : `SQLite error: ${error instanceof Error ? error.message : String(error)}`;
}

export function guarded(work: () => CallToolResult | Promise<CallToolResult>): Promise<CallToolResult> {
  return guardedBy(work, describe);
}
