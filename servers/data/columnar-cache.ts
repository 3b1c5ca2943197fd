import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheCatalog, type Engine, sqlIdentifier, sqlString } from './engine.js';
import { Serial } from './serial.js';

/** What the cache holds and has done, for `cache_status`. */
export interface CacheStats {
  /** Ingestions run since the server started: each content is ingested once. */
  ingestions: number;
  /** The sha256 of each content held. */
  contents: string[];
  /** The space the cache's database takes (its used blocks), entries and the bookkeeping beside them. */
  bytes: number;
  limitBytes: number;
}

interface Entry {
  table: string;
  lastUsed: number;
}

/** Where the ingestion of a file stands: its content hashed, then waiting for an earlier ingestion, then read into the cache. */
export interface IngestionProgress {
  phase: 'hashing' | 'queued' | 'ingesting';
  /** The share done, from 0 to 1, of the whole (hashing takes about a fifth of the time). */
  progress: number;
}

/** The share of an ingestion's time its hash takes (measured on a 1 GB CSV: 1.5–2 s of 8–10 s). */
const hashShare = 0.2;

interface Job extends IngestionProgress {
  controller: AbortController;
  table: Promise<string>;
}

/** A file as the cache knows it: what identifies its content on disk, and the SQL that reads it where it lies. */
export interface CacheableFile {
  absolute: string;
  /** See versionOf. */
  version: string;
  /** `SELECT * FROM read_csv(…)`, as the dataset's view reads the file. */
  source: string;
}

const tableOf = (sha256: string) => `t_${sha256}`;
const cacheTable = (name: string) => `${cacheCatalog}.${sqlIdentifier(name)}`;

/** What identifies a file's content on disk, from its stat: any write, replacement or touch changes it. */
export const versionOf = (info: Stats) => `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;

/**
 * Data files ingested once into DuckDB's own columnar storage, in a database file of the user's
 * outside the data folder, keyed by the sha256 of their content: a second question about a file
 * reads the ingested table instead of parsing the file again, with the types inferred once.
 * Ingestion runs in the background, one file at a time, from the first time a file is asked for;
 * until it is done, queries read the file where it lies, so none waits for it or fails. An entry
 * goes when no file holds its content any more (changed or deleted); past the limit, the least
 * recently used entries are evicted first. Which file version holds which content is kept beside
 * the tables, so that a restart neither hashes nor ingests the same files again.
 */
export class ColumnarCache {
  private readonly entries = new Map<string, Entry>();
  /** The content hash of each file version seen, by version. */
  private readonly contents = new Map<string, string>();
  /** The ingestions asked for and not done, by file version. */
  private readonly jobs = new Map<string, Job>();
  /** The ingestions running or queued, by content; two files of one content share one. */
  private readonly ingesting = new Map<string, Promise<Entry>>();
  /**
   * Every write to the cache database, one after the other: ingestions each use every thread
   * DuckDB has, and a CHECKPOINT refuses to run beside another write.
   */
  private readonly writes = new Serial();
  private ingestions = 0;
  /** The space the cache database's data takes, as DuckDB counts its used blocks; measured after every change. */
  private usedBytes = 0;
  private clock = 0;
  private evicting?: (versions: string[]) => Promise<void>;

  private constructor(
    private readonly engine: Engine,
    private readonly limitBytes: number,
  ) {}

  /** The cache in the engine's attached cache database, with what an earlier run left there. */
  static async open(engine: Engine, limitBytes: number): Promise<ColumnarCache> {
    const cache = new ColumnarCache(engine, limitBytes);
    await engine.execute(`CREATE TABLE IF NOT EXISTS ${cacheTable('entries')} (sha256 VARCHAR PRIMARY KEY, ingested_at TIMESTAMP NOT NULL)`);
    await engine.execute(`CREATE TABLE IF NOT EXISTS ${cacheTable('files')} (version VARCHAR PRIMARY KEY, sha256 VARCHAR NOT NULL)`);
    for (const row of (await engine.read(`SELECT sha256 FROM ${cacheTable('entries')}`)).rows) cache.entries.set(String(row.sha256), { table: tableOf(String(row.sha256)), lastUsed: 0 });
    for (const row of (await engine.read(`SELECT version, sha256 FROM ${cacheTable('files')}`)).rows) cache.contents.set(String(row.version), String(row.sha256));
    await cache.measure();
    return cache;
  }

  stats(): CacheStats {
    return { ingestions: this.ingestions, contents: [...this.entries.keys()], bytes: this.usedBytes, limitBytes: this.limitBytes };
  }

  /**
   * The ingested table of this version of the file (`columnar."t_<sha256>"`): at once when its
   * content was ingested before, else once its ingestion is done. Rejects when the file changed
   * while it was read (its next version is asked for on its own), or when it was cancelled.
   */
  tableFor(file: CacheableFile): Promise<string> {
    const entry = this.entries.get(this.contents.get(file.version) ?? '');
    if (entry) {
      entry.lastUsed = ++this.clock;
      return Promise.resolve(cacheTable(entry.table));
    }
    return (this.jobs.get(file.version) ?? this.start(file)).table;
  }

  /** Where the ingestion of this file version stands; undefined when none is running or queued. */
  progressOf(version: string): IngestionProgress | undefined {
    const job = this.jobs.get(version);
    return job && { phase: job.phase, progress: job.progress };
  }

  /** Cancels the ingestion of this file version, running or queued; whether there was one. */
  cancel(version: string): boolean {
    const job = this.jobs.get(version);
    job?.controller.abort();
    return job !== undefined;
  }

  private start(file: CacheableFile): Job {
    const controller = new AbortController();
    const job = { phase: 'hashing', progress: 0, controller } as Job;
    job.table = (async () => {
      const sha256 = this.contents.get(file.version) ?? (await sha256Of(file.absolute, controller.signal, (share) => (job.progress = share * hashShare)));
      let entry = this.entries.get(sha256);
      if (entry) {
        this.remember(file.version, sha256);
      } else {
        Object.assign(job, { phase: 'queued', progress: hashShare });
        let ingestion = this.ingesting.get(sha256);
        if (!ingestion) {
          ingestion = this.writes.run(() => this.ingest(sha256, file, job)).finally(() => this.ingesting.delete(sha256));
          this.ingesting.set(sha256, ingestion);
        }
        entry = await abortable(ingestion, controller.signal);
      }
      entry.lastUsed = ++this.clock;
      return cacheTable(entry.table);
    })().finally(() => this.jobs.delete(file.version));
    this.jobs.set(file.version, job);
    return job;
  }

  /** Called before an entry is evicted with the file versions that hold its content, so that nothing reads its table any more. */
  onEvict(listener: (versions: string[]) => Promise<void>): void {
    this.evicting = listener;
  }

  /** Marks the contents of these file versions as used now (a query named their views). */
  touch(versions: string[]): void {
    for (const version of versions) {
      const entry = this.entries.get(this.contents.get(version) ?? '');
      if (entry) entry.lastUsed = ++this.clock;
    }
  }

  /**
   * Forgets the file versions that are gone (`current`: those of the files there are now),
   * cancelling their ingestions, and
   * drops the entries no file holds any more (no view reads them: the files' views were moved to
   * their new versions first). Resolves once that is written.
   */
  keepOnly(current: Set<string>): Promise<void> {
    for (const version of this.jobs.keys()) if (!current.has(version)) this.cancel(version);
    const gone = [...this.contents.keys()].filter((version) => !current.has(version));
    if (!gone.length) return Promise.resolve();
    for (const version of gone) this.contents.delete(version);
    return this.writes.run(async () => {
      await this.engine.execute(`DELETE FROM ${cacheTable('files')} WHERE version IN (${gone.map(sqlString).join(', ')})`);
      const held = new Set(this.contents.values());
      for (const sha256 of [...this.entries.keys()]) if (!held.has(sha256) && !this.ingesting.has(sha256)) await this.drop(sha256);
    });
  }

  /** Notes which content this file version holds, for the next run too. */
  private remember(version: string, sha256: string): void {
    if (this.contents.get(version) === sha256) return;
    this.contents.set(version, sha256);
    void this.writes.run(() => this.engine.execute(`INSERT OR REPLACE INTO ${cacheTable('files')} VALUES (${sqlString(version)}, ${sqlString(sha256)})`)).catch(() => undefined);
  }

  private async ingest(sha256: string, file: CacheableFile, job: Job): Promise<Entry> {
    const table = tableOf(sha256);
    job.controller.signal.throwIfAborted();
    job.phase = 'ingesting';
    await this.engine.write(`CREATE OR REPLACE TABLE ${cacheTable(table)} AS ${file.source}`, {
      signal: job.controller.signal,
      onProgress: (share) => (job.progress = hashShare + share * (1 - hashShare)),
    });
    if ((await stat(file.absolute).then(versionOf, () => undefined)) !== file.version) {
      // Written to while it was hashed or read: the table may not hold the content that was hashed.
      await this.engine.execute(`DROP TABLE IF EXISTS ${cacheTable(table)}`);
      throw new Error('the file changed while it was ingested');
    }
    await this.engine.execute(`INSERT OR REPLACE INTO ${cacheTable('entries')} VALUES (${sqlString(sha256)}, now())`);
    const entry: Entry = { table, lastUsed: ++this.clock };
    this.entries.set(sha256, entry);
    this.remember(file.version, sha256);
    this.ingestions++;
    if (await this.measure()) await this.evictBeyondLimit(sha256);
    else this.measureLater(sha256);
    return entry;
  }

  /** Measures again (and evicts) a second later, until a CHECKPOINT gets through: till then the new table is in DuckDB's log, not in the space measured. */
  private measureLater(newest: string): void {
    setTimeout(() => {
      void this.writes.run(async () => {
        if (await this.measure()) await this.evictBeyondLimit(newest);
        else this.measureLater(newest);
      }).catch(() => undefined);
    }, 1_000).unref();
  }

  /** Evicts the least recently used entries, never `keep` (the newest), until the cache is within its limit. */
  private async evictBeyondLimit(keep: string): Promise<void> {
    const byAge = [...this.entries].filter(([sha256]) => sha256 !== keep).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [sha256] of byAge) {
      if (this.usedBytes <= this.limitBytes) return;
      await this.evicting?.([...this.contents].filter(([, content]) => content === sha256).map(([version]) => version));
      await this.drop(sha256);
    }
  }

  private async drop(sha256: string): Promise<void> {
    const entry = this.entries.get(sha256);
    if (!entry) return;
    this.entries.delete(sha256);
    await this.engine.execute(`DROP TABLE IF EXISTS ${cacheTable(entry.table)}`);
    await this.engine.execute(`DELETE FROM ${cacheTable('entries')} WHERE sha256 = ${sqlString(sha256)}`);
    await this.measure();
  }

  /**
   * Writes what changed to the database file (so that freed blocks count as free), then measures
   * the space used. A CHECKPOINT refuses to run beside other transactions (a long query, say): it
   * is tried again for a while, and the space measured all the same. Whether it got through.
   */
  private async measure(): Promise<boolean> {
    let checkpointed = false;
    for (let attempt = 0; attempt < 20 && !checkpointed; attempt++) {
      checkpointed = await this.engine.execute(`CHECKPOINT ${cacheCatalog}`).then(() => true, () => false);
      if (!checkpointed) await sleep(25);
    }
    const { rows } = await this.engine.read(`SELECT used_blocks * block_size AS used FROM pragma_database_size() WHERE database_name = ${sqlString(cacheCatalog)}`);
    this.usedBytes = Number(rows[0]?.used ?? 0);
    return checkpointed;
  }
}

/** The sha256 of a file's content, hex; `onShare` hears the share read so far. */
async function sha256Of(path: string, signal: AbortSignal, onShare: (share: number) => void): Promise<string> {
  const { size } = await stat(path);
  const hash = createHash('sha256');
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    read += chunk.length;
    onShare(size ? Math.min(read / size, 1) : 1);
  }
  return hash.digest('hex');
}

/** The promise's outcome, or a rejection as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
