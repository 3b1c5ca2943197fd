import { constants, DatabaseSync, type SQLInputValue } from 'node:sqlite';

/** A statement the engine refused for this tool, with the reason in the user's terms. */
export class RefusedStatement extends Error {}

type Action = number;

const reads = new Set<Action>([constants.SQLITE_SELECT, constants.SQLITE_READ, constants.SQLITE_FUNCTION, constants.SQLITE_RECURSIVE]);
const writes = new Set<Action>([constants.SQLITE_INSERT, constants.SQLITE_UPDATE, constants.SQLITE_DELETE]);
const actionNames = new Map<number, string>(
  Object.entries(constants)
    .filter(([name, value]) => name.startsWith('SQLITE_') && typeof value === 'number' && !['SQLITE_OK', 'SQLITE_DENY', 'SQLITE_IGNORE'].includes(name))
    .map(([name, value]) => [value as number, name.slice('SQLITE_'.length).replaceAll('_', ' ')]),
);

const isSchemaTable = (table: string | null) => table !== null && /^sqlite_/i.test(table);

/** What a tool may run: the engine checks every action a statement takes while it is prepared. */
export type StatementKind = 'read' | 'write' | 'create-table';

function allowed(kind: StatementKind, action: Action, table: string | null): boolean {
  if (reads.has(action)) return true;
  if (kind === 'write') return writes.has(action) && !isSchemaTable(table);
  if (kind === 'create-table') {
    return action === constants.SQLITE_CREATE_TABLE || (writes.has(action) && isSchemaTable(table));
  }
  return false;
}

const purpose: Record<StatementKind, string> = {
  read: 'read_query runs SELECT statements only',
  write: 'write_query runs INSERT, UPDATE and DELETE statements only',
  'create-table': 'create_table runs CREATE TABLE statements only',
};

/**
 * One SQLite database file, opened with `node:sqlite` (no native addon). Every statement is
 * prepared under an authorizer for its tool's kind, so what a statement may do is decided by
 * the engine, not by reading its text: ATTACH, PRAGMA, DROP and the like are refused.
 */
export class Database {
  private readonly db: DatabaseSync;

  constructor(
    readonly path: string,
    readonly readOnly: boolean,
  ) {
    this.db = new DatabaseSync(path, { readOnly, allowExtension: false, timeout: 5_000 });
    this.db.enableDefensive(true);
  }

  run(kind: StatementKind, sql: string, parameters: SQLInputValue[] = []) {
    if (this.readOnly && kind !== 'read') throw new RefusedStatement('The database is read-only: this server was started with --read-only');
    const statement = this.prepare(kind, sql);
    if (kind === 'read') return { rows: statement.all(...parameters) as Record<string, unknown>[], changes: 0 };
    return { rows: [], changes: Number(statement.run(...parameters).changes) };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private prepare(kind: StatementKind, sql: string) {
    const refused: string[] = [];
    let changes = false;
    this.db.setAuthorizer((action, first) => {
      if (!allowed(kind, action, first)) {
        refused.push(`${actionNames.get(action) ?? `action ${action}`}${first ? ` ${first}` : ''}`);
        return constants.SQLITE_DENY;
      }
      if (kind !== 'read' && action !== constants.SQLITE_READ && action !== constants.SQLITE_SELECT && action !== constants.SQLITE_FUNCTION) changes = true;
      return constants.SQLITE_OK;
    });
    try {
      const statement = this.db.prepare(sql);
      if (kind !== 'read' && !changes) throw new RefusedStatement(`${purpose[kind]}; use ${kind === 'write' ? 'read_query' : 'write_query'} for this one`);
      return statement;
    } catch (error) {
      if (refused.length > 0) throw new RefusedStatement(`${purpose[kind]}; this statement needs ${refused[0]}`);
      throw error;
    } finally {
      this.db.setAuthorizer(null);
    }
  }
}
