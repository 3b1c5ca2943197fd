import { join } from 'node:path';
import { findFreePort } from '@dataflow/shared';
import { AppProcess, createTestDatabase, deleteKeys, startApp, type TestDatabase, testRedisUrl, uniqueKeyPrefix, waitForStatus } from '@dataflow/shared/testing';

export interface DistributedPlatformOptions {
  conversationsReplicas?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Register an admin once the platform is up, and send its access token with every `api()`
   * call that sets no Authorization itself. On by default; the accounts suite turns it off.
   */
  signedIn?: boolean;
}

/**
 * The env of suites that call every route many times as many users: open registration, the MCP
 * fixture servers, users' folders (uploads) and the fixture server's log in `scratchDir`, and
 * sign-in rate limits out of the way (they have their own suite).
 */
export function everyRouteEnv(scratchDir: string): NodeJS.ProcessEnv {
  return {
    REGISTRATION: 'open',
    MCP_CONFIG: 'test/fixtures/mcp-endpoint.json',
    FIXTURE_LOG: join(scratchDir, 'fixture.log'),
    USER_DATA_ROOT: join(scratchDir, 'users'),
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE: '100000',
  };
}

/** The secret the e2e gateways sign access tokens with, for tests that forge or re-sign one. */
export const e2eJwtSecret = 'e2e-only-jwt-secret-0123456789abcdefghijklmnop';

/**
 * The platform as production runs it: gateway, conversations (one or more replicas) and MCP
 * broker, each its own process, talking over real Redis, on a database of this test's own.
 */
export class DistributedPlatform {
  readonly keyPrefix = uniqueKeyPrefix();
  readonly processes: AppProcess[] = [];
  gatewayUrl = '';
  database!: TestDatabase;
  /** The signed-in admin's access token (see `signedIn`). */
  accessToken?: string;

  constructor(private readonly options: DistributedPlatformOptions = {}) {}

  private env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: this.keyPrefix,
      DATABASE_URL: this.database.url,
      MCP_CONFIG: 'test/fixtures/mcp-servers.json',
      JWT_SECRET: e2eJwtSecret,
      LOG_LEVEL: 'debug',
      ...this.options.env,
      ...extra,
    };
  }

  async start(): Promise<void> {
    this.database = await createTestDatabase();
    const replicas = this.options.conversationsReplicas ?? 1;
    await Promise.all([
      ...Array.from({ length: replicas }, () => this.startConversations()),
      this.startBroker(),
      this.startGateway(),
    ]);
    await waitForStatus(`${this.gatewayUrl}/health/ready`, 200, 30_000, this.gateway);
    if (this.options.signedIn ?? true) {
      const registered = await this.api('/api/v1/auth/register', {
        method: 'POST',
        body: JSON.stringify({ email: 'e2e-admin@example.com', password: 'an e2e admin passphrase', name: 'E2E admin' }),
      });
      if (registered.status !== 201) throw new Error(`could not register the e2e admin: ${registered.status} ${await registered.text()}`);
      this.accessToken = ((await registered.json()) as { accessToken: string }).accessToken;
    }
  }

  /** The signed-in admin's Authorization header, for clients other than `api()`. */
  get signedInHeaders(): Record<string, string> {
    return this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {};
  }

  get gateway(): AppProcess {
    return this.processes.find((p) => p.name === 'gateway')!;
  }

  get conversations(): AppProcess[] {
    return this.processes.filter((p) => p.name === 'conversations' && p.running);
  }

  async startConversations(): Promise<AppProcess> {
    const healthPort = await findFreePort();
    const process = startApp('conversations', this.env({ HEALTH_PORT: String(healthPort) }));
    this.processes.push(process);
    await waitForStatus(`http://127.0.0.1:${healthPort}/health/ready`, 200, 30_000, process);
    return process;
  }

  private async startBroker(): Promise<void> {
    const healthPort = await findFreePort();
    const process = startApp('mcp-broker', this.env({ HEALTH_PORT: String(healthPort) }));
    this.processes.push(process);
    await waitForStatus(`http://127.0.0.1:${healthPort}/health/ready`, 200, 30_000, process);
  }

  private async startGateway(): Promise<void> {
    this.gatewayUrl = await this.startGatewayReplica();
  }

  /** Another gateway on the same Redis, database and broker → its base URL. */
  async startGatewayReplica(): Promise<string> {
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const process = startApp('gateway', this.env({ PORT: String(port), HOST: '127.0.0.1' }));
    this.processes.push(process);
    await waitForStatus(`${url}/health/live`, 200, 30_000, process);
    return url;
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGTERM')));
    await this.database?.drop();
    await deleteKeys(this.keyPrefix);
  }

  /** A request as the signed-in admin (unless `init` says who), to the first gateway or to `gatewayUrl`. */
  api(path: string, init: RequestInit = {}, gatewayUrl = this.gatewayUrl): Promise<Response> {
    const given = (init.headers as Record<string, string> | undefined) ?? {};
    const signedIn = Object.keys(given).some((name) => name.toLowerCase() === 'authorization') ? {} : this.signedInHeaders;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...signedIn, ...given };
    return fetch(`${gatewayUrl}${path}`, {
      ...init,
      headers,
      signal: init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
    });
  }
}
