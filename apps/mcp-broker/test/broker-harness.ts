import type { INestApplication } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type CallToolEvent,
  type CallToolRequest,
  createServiceApp,
  createTransport,
  loadConfig,
  McpBrokerContract,
  McpBrokerEnv,
  type McpToolResult,
  ServiceClient,
  ServiceName,
} from '@dataflow/shared';
import { deleteKeys, eventually, testRedisUrl, uniqueKeyPrefix } from '@dataflow/shared/testing';
import { loadMcpConfig } from '../src/config/mcp-config.js';
import { McpBrokerModule } from '../src/mcp-broker.module.js';
import { ServerRegistry } from '../src/registry/server-registry.js';

export const fixtureServer = 'test/fixtures/mcp/fixture-server.mjs';
export const everythingServer = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';
export const filesystemServer = 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js';

/** A broker in this process, on real Redis, with a config file of the test's own. */
export class BrokerUnderTest {
  private constructor(
    readonly app: INestApplication,
    readonly client: ServiceClient,
    readonly dir: string,
    readonly configPath: string,
    private readonly keyPrefix: string,
  ) {}

  static async start(servers: Record<string, unknown>, env: Record<string, string> = {}): Promise<BrokerUnderTest> {
    const dir = await mkdtemp(join(tmpdir(), 'dfc-broker-'));
    const configPath = join(dir, 'mcp-servers.json');
    await writeConfig(configPath, servers);
    const keyPrefix = uniqueKeyPrefix();
    const config = loadConfig(McpBrokerEnv, {
      LOG_LEVEL: 'warn',
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      MCP_CONFIG: configPath,
      USER_DATA_ROOT: join(dir, 'users'),
      ...env,
    });
    const transport = createTransport(config);
    const app = await createServiceApp(
      McpBrokerModule.forRoot({ config, mcpConfig: await loadMcpConfig(configPath), transport }),
      ServiceName.McpBroker,
      transport,
    );
    await app.init();
    const client = new ServiceClient(ServiceName.McpBroker, transport.createClient(ServiceName.McpBroker), 30_000);
    return new BrokerUnderTest(app, client, dir, configPath, keyPrefix);
  }

  get registry(): ServerRegistry {
    return this.app.get(ServerRegistry);
  }

  /** Calls a tool and collects what the stream brought: progress events and the result. */
  async call(request: CallToolRequest): Promise<{ result: McpToolResult; progress: CallToolEvent[] }> {
    const events = await lastValueFrom(this.client.stream(McpBrokerContract.callTool, request, { idleTimeoutMs: 30_000 }).pipe(toArray()));
    const result = events.find((event) => event.type === 'result');
    if (!result || result.type !== 'result') throw new Error(`no result among ${JSON.stringify(events)}`);
    return { result: result.result, progress: events.filter((event) => event.type === 'progress') };
  }

  async text(request: CallToolRequest): Promise<string> {
    const { result } = await this.call(request);
    return result.content.map((part) => String(part.text ?? '')).join('');
  }

  async state(server: string, userId?: string) {
    return (await this.client.send(McpBrokerContract.getServer, { name: server, userId })).state;
  }

  async waitForState(server: string, state: string, timeoutMs = 15_000, userId?: string): Promise<void> {
    await eventually(async () => expect(await this.state(server, userId)).toBe(state), timeoutMs);
  }

  async close(): Promise<void> {
    await this.client.onApplicationShutdown();
    await this.app.close();
    await deleteKeys(this.keyPrefix);
    await rm(this.dir, { recursive: true, force: true });
  }
}

export async function writeConfig(path: string, servers: Record<string, unknown>): Promise<void> {
  await writeFile(path, JSON.stringify({ mcpServers: servers }, null, 2));
}

/** The live (not zombie) child processes of a process, by pid, read from /proc. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
