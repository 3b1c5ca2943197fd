import { DuckDBInstance, type DuckDBConnection, type DuckDBResult, JsonDuckDBValueConverter, StatementType } from '@duckdb/node-api';

/** The attached database the columnar cache keeps its tables in. */
export const cacheCatalog = 'columnar';

/** A query or request this server refused or could not run, in words the model can act on. */
export class ToolError extends Error {}

export interface EngineOptions {
  /** The data folder (a real path): the only place DuckDB may read or write. */
  root: string;
  /** A private folder for DuckDB to spill to when a query does not fit in memory. */
  tempDirectory: string;
  /** DuckDB's memory limit, e.g. `1GB`. */
  memoryLimit: string;
  threads: number;
  /** How long one query may run before it is cancelled. */
  timeoutMs: number;
  /** How long ingesting one file into the columnar cache may take before it is cancelled. */
  ingestTimeoutMs?: number;
  /** A DuckDB database file, outside the data folder, attached as the columnar cache's (see ColumnarCache). */
  cacheFile?: string;
}

/** What a long write reports as it goes, and what cancels it. */
export interface WriteOptions {
  signal?: AbortSignal;
  /** DuckDB's estimate of the share done, from 0 to 1, about every 200 ms. */
  onProgress?: (fraction: number) => void;
}

/** How often a long write's progress is read. */
const progressEveryMs = 200;

export interface Column {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: Column[];
  rows: Record<string, unknown>[];
  /** Every row the query produced, of which `rows` holds the first `limit`. */
  rowCount: number;
  truncated: boolean;
}

/** Longer SQL than this is refused before DuckDB parses it. */
export const maxSqlLength = 100_000;

export const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
export const sqlIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

const numericTypes = /^(BIGINT|HUGEINT|UBIGINT|UHUGEINT|DECIMAL)/;

function describeDuckDbError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const denied = /Cannot access (?:file|directory) "([^"]*)"/.exec(message);
  if (denied) return `Refused: "${denied[1]}" is outside the data folder, or a link that leads out of it. Query the datasets by their view names (see list_datasets).`;
  if (/Loading external extensions is disabled|extension/i.test(message) && /disabled/i.test(message)) return 'Refused: extensions cannot be installed or loaded here.';
  if (/configuration has been locked/.test(message)) return 'Refused: the server\'s settings cannot be changed.';
  return `DuckDB error: ${message.split('\n')[0].replace(/^Failed to extract statements: /, '')}`;
}

/**
 * DuckDB, locked to the data folder. After start-up it may read only under the root (and its own
 * spill folder), may not install or load extensions, and its settings are locked. On top of that,
 * only single SELECT statements run: `COPY … TO`, `ATTACH`, `SET`, `PRAGMA` and the like are
 * refused from the prepared statement's type, not by reading the SQL. Every query runs on its own
 * connection, which a timer interrupts when the query runs too long.
 */
export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    /** The connection long writes run on, one at a time: the only one that measures its progress. */
    private readonly writer: DuckDBConnection,
    readonly options: EngineOptions,
  ) {}

  static async open(options: EngineOptions): Promise<Engine> {
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      memory_limit: options.memoryLimit,
      threads: String(options.threads),
    });
    const setup = await instance.connect();
    // Progress is measured per connection, and cannot be turned on once the settings are locked.
    const writer = await instance.connect();
    await writer.run('SET enable_progress_bar = true');
    await writer.run('SET enable_progress_bar_print = false');
    try {
      // Attached before access is locked down: the cache's file stays writable, and nothing else outside the root becomes so.
      if (options.cacheFile) await setup.run(`ATTACH ${sqlString(options.cacheFile)} AS ${cacheCatalog}`);
      await setup.run(`SET temp_directory = ${sqlString(options.tempDirectory)}`);
      await setup.run(`SET allowed_directories = [${sqlString(`${options.root}/`)}]`);
      await setup.run('SET enable_external_access = false');
      await setup.run('SET lock_configuration = true');
    } finally {
      setup.closeSync();
    }
    return new Engine(instance, writer, options);
  }

  /** Runs trusted statements of this server (creating views and tables, COPY); returns the rows they changed or wrote. */
  async execute(sql: string): Promise<number> {
    return this.withConnection(async (connection) => (await connection.run(sql)).rowsChanged);
  }

  /**
   * Runs a long trusted statement (an ingestion) on the connection that measures progress, under
   * the ingestion time limit; `signal` cancels it. One at a time: the caller runs them in turn.
   */
  async write(sql: string, { signal, onProgress }: WriteOptions = {}): Promise<void> {
    const connection = this.writer;
    const progress = onProgress && setInterval(() => {
      const { percentage } = connection.progress;
      if (percentage >= 0) onProgress(Math.min(percentage, 100) / 100);
    }, progressEveryMs);
    try {
      await interruptible(connection, { limitMs: this.options.ingestTimeoutMs ?? this.options.timeoutMs, subject: 'it', signal }, () => connection.run(sql));
    } finally {
      clearInterval(progress);
    }
  }

  /** Runs one SELECT statement and keeps its first `limit` rows; the rest are only counted. */
  async select(sql: string, limit: number): Promise<QueryResult> {
    if (sql.length > maxSqlLength) throw new ToolError(`Refused: the query is ${sql.length} characters long; the limit is ${maxSqlLength}.`);
    if (!sql.trim()) throw new ToolError('Refused: the query is empty.');
    return this.withConnection(async (connection) => {
      const statements = await connection.extractStatements(sql);
      if (statements.count !== 1) throw new ToolError(`Refused: send one SELECT statement at a time (this holds ${statements.count}).`);
      const prepared = await statements.prepare(0);
      if (prepared.statementType !== StatementType.SELECT) {
        throw new ToolError(`Refused: only SELECT queries run here; this is a ${StatementType[prepared.statementType] ?? 'different'} statement.`);
      }
      return collect(await prepared.stream(), limit);
    });
  }

  /** Runs SQL this server wrote itself (it need not be a SELECT: SUMMARIZE, say), with the time limit. */
  async read(sql: string, limit = Number.MAX_SAFE_INTEGER): Promise<QueryResult> {
    return this.withConnection(async (connection) => collect(await connection.stream(sql), limit));
  }

  /**
   * Runs several statements of this server on one connection, so that they can share a temporary
   * table; the time limit covers them all.
   */
  async session<T>(work: (read: (sql: string, limit?: number) => Promise<QueryResult>) => Promise<T>): Promise<T> {
    return this.withConnection((connection) => work(async (sql, limit = Number.MAX_SAFE_INTEGER) => collect(await connection.stream(sql), limit)));
  }

  /** Checks that `sql` is one SELECT statement without running it; returns its columns. */
  async columnsOf(sql: string): Promise<Column[]> {
    const { columns } = await this.select(`SELECT * FROM (${sql}) LIMIT 0`, 0);
    return columns;
  }

  close(): void {
    this.writer.closeSync();
    this.instance.closeSync();
  }

  private async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect();
    try {
      return await interruptible(connection, { limitMs: this.options.timeoutMs, subject: 'the query' }, () => work(connection));
    } finally {
      connection.closeSync();
    }
  }
}

/**
 * Runs `work` on `connection`, interrupting it once `limitMs` has passed or `signal` aborts; what
 * DuckDB throws becomes a ToolError in words the model can act on (`subject` names what ran).
 */
async function interruptible<T>(connection: DuckDBConnection, { limitMs, subject, signal }: { limitMs: number; subject: string; signal?: AbortSignal }, work: () => Promise<T>): Promise<T> {
  signal?.throwIfAborted();
  let timedOut = false;
  const interrupt = () => connection.interrupt();
  const timer = setTimeout(() => {
    timedOut = true;
    interrupt();
  }, limitMs);
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    return await work();
  } catch (error) {
    if (error instanceof ToolError) throw error;
    if (signal?.aborted) throw new ToolError('Cancelled.');
    if (timedOut) throw new ToolError(`Cancelled: ${subject} ran longer than ${limitMs / 1000} s, the limit of this server.`);
    throw new ToolError(describeDuckDbError(error));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', interrupt);
  }
}

/** Reads a result chunk by chunk: the first `limit` rows as JSON-ready objects, the rest only counted. */
async function collect(result: DuckDBResult, limit: number): Promise<QueryResult> {
  const names = result.deduplicatedColumnNames();
  const columns = result.columnTypes().map((type, index) => ({ name: names[index], type: type.toString() }));
  const numeric = columns.map((column) => numericTypes.test(column.type));
  const rows: Record<string, unknown>[] = [];
  let rowCount = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (let index = 0; index < chunk.rowCount && rows.length < limit; index++) {
      const values = chunk.convertRowValues(index, JsonDuckDBValueConverter);
      rows.push(Object.fromEntries(values.map((value, column) => [names[column], numeric[column] ? asNumber(value) : value])));
    }
    rowCount += chunk.rowCount;
  }
  return { columns, rows, rowCount, truncated: rowCount > rows.length };
}

/** DuckDB's JSON form gives 64-bit integers and decimals as strings; numbers read better. */
function asNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const number = Number(value);
  return Number.isFinite(number) && (Number.isSafeInteger(number) || !/^-?\d+$/.test(value)) ? number : value;
}
