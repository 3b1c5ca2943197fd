import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { McpToolResult } from '@dataflow/shared';

export interface AnalysisCacheOptions {
  /** What the stored results may take up in all (their JSON, in bytes); 0 turns the cache off. */
  maxBytes: number;
  ttlMs: number;
}

/** One call as the cache tells calls apart. */
export interface CacheableCall {
  qualifiedName: string;
  /** The user, for a per-user server; `shared` otherwise. */
  scope: string;
  arguments: Record<string, unknown>;
  /** The server's definition: a reload that changes how the server runs must not be answered from before. */
  definition: unknown;
  /** A per-user server's data folder: the files whose contents the key covers. */
  dataDir?: string;
}

/** A folder with more files than this is not fingerprinted, so calls over it are not cached. */
const maxFolderFiles = 10_000;
/** The data folders whose file hashes are kept, the most recently used. */
const maxFoldersRemembered = 1_000;
/**
 * A file modified this recently is hashed again on every look: a write within the same tick of
 * the file system's clock, and of the same size, would leave its stamp as it was (git's "racy clean").
 */
const settleMs = 2_000;

interface FileHash {
  stamp: string;
  digest: Promise<string>;
}

/**
 * The results of read-only, idempotent tool calls, by what they depend on: the tool, who asks,
 * the arguments, and the contents of the files a per-user server sees. A changed file changes the
 * key, so it misses; the TTL bounds what the files cannot tell (a shared server's own data).
 * Each file's hash is remembered by its stamp, so an unchanged file is not read twice.
 */
export class AnalysisCache {
  /** Results as JSON: a hit is a fresh copy, and its size is known. */
  private readonly results?: LRUCache<string, string>;
  /** Per data folder: each file's hash, by its absolute path. */
  private readonly hashes = new LRUCache<string, Map<string, FileHash>>({ max: maxFoldersRemembered });
  /** Identical calls that are running now, settled when they are done. */
  private readonly running = new Map<string, Promise<void>>();

  constructor({ maxBytes, ttlMs }: AnalysisCacheOptions) {
    if (maxBytes <= 0) return;
    // One large result may not push out everything else.
    this.results = new LRUCache({
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 8)),
      sizeCalculation: (json) => Buffer.byteLength(json),
      ttl: ttlMs,
    });
  }

  /** The key of a call, or undefined when the call cannot be cached (a folder too large, or changing as it is read). */
  async key(call: CacheableCall): Promise<string | undefined> {
    const files = call.dataDir === undefined ? [] : await this.fingerprint(call.dataDir).catch(() => undefined);
    if (!files) return undefined;
    const parts = [call.qualifiedName, call.scope, canonical(call.arguments), canonical(call.definition), files];
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  /**
   * The stored result of this call, or the result of `run`, stored unless it is an error or the
   * files changed while it ran. An identical call already running (or being stored) is waited
   * for, then looked up.
   */
  async through(call: CacheableCall, run: () => Promise<McpToolResult>): Promise<{ result: McpToolResult; cached: boolean }> {
    const key = this.results ? await this.key(call) : undefined;
    if (key === undefined) return { result: await run(), cached: false };
    let stored = this.lookUp(key);
    const running = this.running.get(key);
    if (!stored && running) {
      await running;
      stored = this.lookUp(key);
    }
    if (stored) return { result: stored, cached: true };

    const done = run();
    // The result goes back at once; whether it is stored (not an error, the files unchanged while
    // it ran) is settled after, and an identical call meanwhile waits for that.
    const tracked: Promise<void> = done
      .then(async (result) => {
        if (!result.isError && (await this.key(call)) === key) this.results!.set(key, JSON.stringify(result));
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.running.get(key) === tracked) this.running.delete(key);
      });
    this.running.set(key, tracked);
    return { result: await done, cached: false };
  }

  private lookUp(key: string): McpToolResult | undefined {
    const json = this.results!.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as McpToolResult);
  }

  /** Each file under the folder, by its relative path, with the sha256 of its contents (a link: where it points). */
  private async fingerprint(dataDir: string): Promise<[string, string][] | undefined> {
    const known = this.hashes.get(dataDir) ?? new Map<string, FileHash>();
    this.hashes.set(dataDir, known);
    const files: [string, string][] = [];
    const seen = new Set<string>();
    const walk = async (folder: string): Promise<boolean> => {
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        const name = relative(dataDir, path).split(sep).join('/');
        if (entry.isDirectory()) {
          if (!(await walk(path))) return false;
          continue;
        }
        if (files.length >= maxFolderFiles) return false;
        if (entry.isSymbolicLink()) files.push([name, `link:${await readlink(path)}`]);
        else if (entry.isFile()) {
          seen.add(path);
          files.push([name, await this.hashOf(known, path, await lstat(path))]);
        }
      }
      return true;
    };
    if (!(await walk(dataDir))) return undefined;
    for (const path of known.keys()) if (!seen.has(path)) known.delete(path);
    return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private hashOf(known: Map<string, FileHash>, path: string, stats: Stats): Promise<string> {
    const stamp = `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}`;
    const remembered = known.get(path);
    if (remembered?.stamp === stamp) return remembered.digest;
    const digest = sha256Of(path);
    if (Date.now() - stats.mtimeMs < settleMs) {
      known.delete(path);
      return digest;
    }
    known.set(path, { stamp, digest });
    // A file that could not be read is read again next time.
    digest.catch(() => {
      if (known.get(path)?.digest === digest) known.delete(path);
    });
    return digest;
  }
}

/** Streamed: a data file may be hundreds of megabytes. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The value with every object's keys in order, so that `{a, b}` and `{b, a}` are one key. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(object).sort().map((key) => [key, canonical(object[key])]));
}
