import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Runs a statement that runs on every chat turn as a named prepared statement on TypeORM's own
 * pool, outside any transaction: each pooled connection parses and plans it once instead of at
 * every call (for `messages.ask`, 1.8 ms of a 3.4 ms statement). `name` must be unique to `text`.
 * The rows, also for an UPDATE … RETURNING (where TypeORM's `query` answers `[rows, count]`).
 */
export async function queryPrepared<Row extends QueryResultRow>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<Row[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const { rows } = await pool.query<Row>({ name, text, values });
  return rows;
}
