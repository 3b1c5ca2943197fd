import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@dataflow/shared';
import { AppProcess, databaseUrl, deleteKeys, testRedisUrl, waitForStatus, withAdminClient } from '@dataflow/shared/testing';
import { runMigrations } from '../../apps/conversations/src/database/data-source.js';

// dist/bench/lib/ → the repository.
const root = fileURLToPath(new URL('../../../', import.meta.url));

const startMs = 60_000;

/** Production's processes over Redis, or `npm start`'s single process with its apps linked in it (on the tests' Postgres). */
export type Topology = 'distributed' | 'standalone';
type AppName = 'gateway' | 'conversations' | 'mcp-broker' | 'standalone';

/**
 * The platform for a bench, started from the build on a database of its own (made and migrated
 * here, on the Postgres of the tests); `stop` removes it. Distributed, as production runs it:
 * gateway, conversations and MCP broker, each its own process, over real Redis with a key prefix
 * of their own (also removed). Standalone, as `npm start` runs it: one process, its apps linked in
 * it (no Redis). The e2e suites' DistributedPlatform does the same from the sources; from the
 * build, its processes run in the build's folder, so every path in `env` must be absolute.
 */
export class BenchPlatform {
  readonly processes: AppProcess[] = [];
  readonly keyPrefix = `bench-${process.pid}`;
  readonly database = `dfc_bench_${process.pid}`;
  gatewayUrl = '';
  /** The Authorization header of the account the bench registers (the first, so an admin). */
  signedIn: Record<string, string> = {};
  private databaseMade = false;
  private readonly jwtSecret = randomBytes(32).toString('base64url');

  /** `env` goes to every app, over the database, Redis and JWT settings made here. Standalone takes DATA_DIR from it. */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly topology: Topology = 'distributed',
  ) {}

  /** Makes the database, starts every app and registers an account. `stop` undoes what it did, also when it failed halfway. */
  async start(): Promise<void> {
    await this.createDatabase();
    // All settle before going on, so that `stop` knows every process that was started.
    const apps = this.topology === 'standalone' ? [this.startGateway('standalone')] : [this.startService('conversations'), this.startService('mcp-broker'), this.startGateway('gateway')];
    const started = await Promise.allSettled(apps);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    await waitForStatus(`${this.gatewayUrl}/health/ready`, 200, startMs, this.gateway);
    await this.register();
  }

  /** The process that serves HTTP: the gateway, or the standalone process. */
  get gateway(): AppProcess {
    return this.processes.find((process) => process.name === 'gateway' || process.name === 'standalone')!;
  }

  /** An app's own process; none in standalone, where every app is the gateway's process. */
  app(name: 'gateway' | 'conversations' | 'mcp-broker'): AppProcess | undefined {
    return this.processes.find((process) => process.name === name);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((app) => app.stop('SIGTERM')));
    if (this.databaseMade) await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`));
    await deleteKeys(this.keyPrefix);
  }

  private async createDatabase(): Promise<void> {
    await withAdminClient(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${this.database}`);
    });
    this.databaseMade = true;
    await runMigrations(databaseUrl(this.database));
  }

  private appEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: this.keyPrefix,
      DATABASE_URL: databaseUrl(this.database),
      JWT_SECRET: this.jwtSecret,
      ...this.env,
      ...extra,
    };
    // Without REDIS_URL the standalone process links its apps in process.
    if (this.topology === 'standalone') delete env.REDIS_URL;
    return env;
  }

  private startApp(name: AppName, extra: NodeJS.ProcessEnv): AppProcess {
    const app = new AppProcess(name, [join(root, `dist/apps/${name}/src/main.js`)], this.appEnv(extra));
    this.processes.push(app);
    return app;
  }

  private async startService(name: 'conversations' | 'mcp-broker'): Promise<void> {
    const healthPort = await findFreePort();
    const app = this.startApp(name, { HEALTH_PORT: String(healthPort) });
    await waitForStatus(`http://127.0.0.1:${healthPort}/health/ready`, 200, startMs, app);
  }

  private async startGateway(name: 'gateway' | 'standalone'): Promise<void> {
    const port = await findFreePort();
    this.gatewayUrl = `http://127.0.0.1:${port}`;
    const app = this.startApp(name, { PORT: String(port), HOST: '127.0.0.1' });
    await waitForStatus(`${this.gatewayUrl}/health/live`, 200, startMs, app);
  }

  private async register(): Promise<void> {
    const registered = await fetch(`${this.gatewayUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'perf@example.com', password: 'a long passphrase for the bench', name: 'Bench' }),
    });
    if (registered.status !== 201) throw new Error(`could not register the bench account: ${registered.status} ${await registered.text()}`);
    this.signedIn = { authorization: `Bearer ${((await registered.json()) as { accessToken: string }).accessToken}` };
  }
}
