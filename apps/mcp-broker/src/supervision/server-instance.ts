import { Logger } from '@nestjs/common';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Prompt, Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AppError, ErrorCode, type McpServerState, renewMcpSdkMaps, renewMcpSdkMapsEvery } from '@dataflow/shared';
import { redact, type ResolvedDefinition } from '../config/interpolation.js';
import { spawnParameters } from './child-process.js';

const brokerIdentity = { name: 'mcp-dataflow-chat-broker', version: '0.1.0' };
/** How long connecting (spawn + initialize + first catalog) may take before it counts as a crash. */
const connectTimeoutMs = 30_000;
const stderrLines = 50;
/** The timeout of a request that is not a tool call (reading a resource, getting a prompt). */
export const requestTimeoutMs = 60_000;

export interface CallOptions {
  timeoutMs: number;
  signal: AbortSignal;
  onProgress: (progress: { progress: number; total?: number; message?: string }) => void;
}

/** What an instance tells its owner, which keeps the catalog and the counts. */
export interface InstanceListener {
  onStateChange?(instance: ServerInstance): void;
}

function serverUnavailable(name: string, reason: string, details: Record<string, unknown> = {}): AppError {
  return new AppError(ErrorCode.ServerUnavailable, `The MCP server "${name}" is unavailable: ${reason}`, { server: name, ...details });
}

/**
 * One running MCP server: a child process or a remote connection, supervised. It restarts after
 * a crash with exponential backoff and jitter, gives up (`failed`) after too many crashes in a
 * window, restarts a server that stops answering pings, and keeps the server's catalog current.
 */
export class ServerInstance {
  state: McpServerState = 'starting';
  stateSince = Date.now();
  restarts = 0;
  lastError?: string;
  lastUsed = Date.now();
  tools: Tool[] = [];
  resources: Resource[] = [];
  prompts: Prompt[] = [];
  readonly stderr: string[] = [];

  private readonly logger: Logger;
  private client?: Client;
  private transport?: Transport;
  private crashTimes: number[] = [];
  private requests = 0;
  private restartTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private pinging = false;
  private stopped = false;
  /** Settles when the current connection attempt ends; calls made while starting wait on it. */
  private connecting?: Promise<void>;

  constructor(
    readonly server: string,
    private readonly resolved: ResolvedDefinition,
    private readonly listener: InstanceListener = {},
    readonly userId?: string,
  ) {
    this.logger = new Logger(userId ? `mcp:${server}:${userId}` : `mcp:${server}`);
  }

  get definition() {
    return this.resolved.definition;
  }

  /** The child's pid, for stdio servers that are running. */
  get pid(): number | undefined {
    return this.transport instanceof StdioClientTransport ? (this.transport.pid ?? undefined) : undefined;
  }

  start(): Promise<void> {
    this.stopped = false;
    this.connecting = this.connect();
    return this.connecting;
  }

  /** Stops for good (disable, removal, idle reaping): no restart follows. */
  async stop(state: McpServerState = 'disabled'): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.pingTimer);
    this.setState(state);
    await this.disconnect();
  }

  /** An admin's restart: a fresh connection now, with the crash history cleared. */
  async restart(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.crashTimes = [];
    this.restarts++;
    this.setState('restarting');
    await this.reconnect();
  }

  /** The connected client, waiting for a start in progress; a server that is down fails at once. */
  async ready(): Promise<Client> {
    if (this.state === 'starting') await this.connecting;
    if (this.client && (this.state === 'ready' || this.state === 'degraded')) return this.client;
    switch (this.state) {
      case 'restarting':
        throw serverUnavailable(this.server, `it is restarting (${this.lastError ?? 'after a crash'})`);
      case 'failed':
        throw serverUnavailable(this.server, `it failed (${this.lastError ?? 'unknown error'})`, { stderr: this.stderr.slice(-5) });
      case 'disabled':
        throw serverUnavailable(this.server, 'it is disabled');
      default:
        throw serverUnavailable(this.server, this.lastError ?? 'it is not connected');
    }
  }

  async callTool(name: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    return this.attempt(options, (client) =>
      client.callTool({ name, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        resetTimeoutOnProgress: true,
        signal: options.signal,
        onprogress: (progress) => options.onProgress(progress),
      }) as Promise<CallToolResult>,
    );
  }

  /**
   * Runs a request on the connection, and turns whatever goes wrong into a typed AppError. A
   * Streamable HTTP session the server forgot (404) is re-initialised, and the request sent again.
   */
  async attempt<T>(options: { signal?: AbortSignal; timeoutMs?: number }, request: (client: Client) => Promise<T>): Promise<T> {
    this.lastUsed = Date.now();
    const timeoutMs = options.timeoutMs ?? requestTimeoutMs;
    try {
      const client = await this.ready();
      if (++this.requests % renewMcpSdkMapsEvery === 0) renewMcpSdkMaps(client);
      try {
        return await request(client);
      } catch (error) {
        if (!(error instanceof StreamableHTTPError && error.code === 404) || options.signal?.aborted) throw error;
        this.logger.warn('the server forgot our session; initialising a new one');
        await this.reconnect();
        return await request(await this.ready());
      }
    } catch (error) {
      throw this.explainError(error, timeoutMs);
    }
  }

  private explainError(error: unknown, timeoutMs: number): unknown {
    if (error instanceof AppError) return error;
    const code = (error as { code?: number }).code;
    const message = redact(error instanceof Error ? error.message : String(error), this.resolved.secrets);
    if (code === -32001) {
      return new AppError(ErrorCode.Timeout, `The MCP server "${this.server}" did not answer within ${timeoutMs} ms`, { server: this.server, timeoutMs });
    }
    if (code === -32000 || !this.client) {
      // Connection closed: the server died (or was stopped) while the call ran.
      return serverUnavailable(this.server, `it stopped while the call was running (${this.lastError ?? message})`);
    }
    if (typeof code === 'number') {
      return new AppError(ErrorCode.BadRequest, `The MCP server "${this.server}" refused the call: ${message}`, { server: this.server, mcpCode: code });
    }
    return serverUnavailable(this.server, message);
  }

  /** Drops the current connection and makes a new one, unless the instance was stopped meanwhile. */
  private async reconnect(): Promise<void> {
    await this.disconnect();
    if (this.stopped) return;
    this.connecting = this.connect();
    await this.connecting;
  }

  private async connect(): Promise<void> {
    clearInterval(this.pingTimer);
    this.setState(this.restarts > 0 ? 'restarting' : 'starting');
    const transport = this.createTransport();
    const client: Client = new Client(brokerIdentity, {
      capabilities: {},
      listChanged: {
        tools: { onChanged: (error, tools) => this.onListChanged(client, 'tools', error, tools) },
        resources: { onChanged: (error, resources) => this.onListChanged(client, 'resources', error, resources) },
        prompts: { onChanged: (error, prompts) => this.onListChanged(client, 'prompts', error, prompts) },
      },
    });
    client.onerror = (error) => this.logger.debug({ err: redact(error.message, this.resolved.secrets) }, 'transport error');
    this.client = client;
    this.transport = transport;
    try {
      const signal = AbortSignal.timeout(connectTimeoutMs);
      await client.connect(transport, { timeout: connectTimeoutMs, signal });
      client.onclose = () => this.onClosed(client);
      await this.loadCatalog(client, signal);
      if (this.stopped || this.client !== client) return;
      this.setState('ready');
      this.lastError = undefined;
      this.pingTimer = setInterval(() => void this.ping(client), this.definition.pingIntervalMs).unref();
      this.logger.log({ tools: this.tools.length, pid: this.pid }, 'MCP server ready');
    } catch (error) {
      if (this.stopped || this.client !== client) return;
      const reason = redact(error instanceof Error ? error.message : String(error), this.resolved.secrets);
      await this.disconnect();
      this.crashed(`could not connect: ${reason}${this.stderrHint()}`);
    }
  }

  private createTransport(): Transport {
    const definition = this.definition;
    if (definition.transport === 'stdio') {
      const transport = new StdioClientTransport(spawnParameters(definition));
      const stderr = transport.stderr;
      if (stderr) createInterface({ input: stderr as unknown as NodeJS.ReadableStream }).on('line', (line) => this.keepStderr(line));
      return transport;
    }
    const requestInit = { headers: definition.headers };
    if (definition.transport === 'sse') return new SSEClientTransport(new URL(definition.url), { requestInit, eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...definition.headers, ...(init?.headers as Record<string, string>) } }) } });
    return new StreamableHTTPClientTransport(new URL(definition.url), {
      requestInit,
      reconnectionOptions: { initialReconnectionDelay: 500, reconnectionDelayGrowFactor: 2, maxReconnectionDelay: 30_000, maxRetries: 10 },
    });
  }

  private async loadCatalog(client: Client, signal?: AbortSignal): Promise<void> {
    const capabilities = client.getServerCapabilities() ?? {};
    const options = { signal, timeout: connectTimeoutMs };
    const [tools, resources, prompts] = await Promise.all([
      capabilities.tools ? this.listAll((cursor) => client.listTools({ cursor }, options), 'tools') : [],
      capabilities.resources ? this.listAll((cursor) => client.listResources({ cursor }, options), 'resources') : [],
      capabilities.prompts ? this.listAll((cursor) => client.listPrompts({ cursor }, options), 'prompts') : [],
    ]);
    this.tools = tools as Tool[];
    this.resources = resources as Resource[];
    this.prompts = prompts as Prompt[];
  }

  private async listAll<K extends 'tools' | 'resources' | 'prompts'>(
    page: (cursor?: string) => Promise<{ nextCursor?: string } & Record<K, unknown[]>>,
    key: K,
  ): Promise<unknown[]> {
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const result = await page(cursor);
      items.push(...result[key]);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return items;
  }

  private onListChanged(client: Client, kind: 'tools' | 'resources' | 'prompts', error: Error | null, items: unknown[] | null): void {
    // A refresh that lands after its connection was replaced (a restart) says nothing about the new one.
    if (this.client !== client) return;
    if (error || !items) {
      this.logger.warn({ kind, err: error?.message }, 'could not refresh a list after list_changed');
      if (this.state === 'ready') this.setState('degraded');
      return;
    }
    if (kind === 'tools') this.tools = items as Tool[];
    if (kind === 'resources') this.resources = items as Resource[];
    if (kind === 'prompts') this.prompts = items as Prompt[];
    this.logger.log({ kind, count: items.length }, 'catalog refreshed after list_changed');
    this.listener.onStateChange?.(this);
  }

  private async ping(client: Client): Promise<void> {
    if (this.pinging || this.client !== client) return;
    this.pinging = true;
    try {
      await client.ping({ timeout: this.definition.pingTimeoutMs });
      if (this.state === 'degraded') this.setState('ready');
    } catch (error) {
      if (this.client !== client || this.stopped) return;
      this.setState('degraded');
      const reason = `it did not answer a ping within ${this.definition.pingTimeoutMs} ms`;
      this.logger.warn({ err: (error as Error).message }, `${reason}; restarting it`);
      await this.disconnect();
      this.crashed(reason);
    } finally {
      this.pinging = false;
    }
  }

  private onClosed(client: Client): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.transport = undefined;
    this.crashed(`the server ${this.definition.transport === 'stdio' ? 'process exited' : 'connection closed'}${this.stderrHint()}`);
  }

  /** Records a crash and schedules the restart, or gives up when the window holds too many. */
  private crashed(reason: string): void {
    clearInterval(this.pingTimer);
    this.lastError = reason;
    const policy = this.definition.restart;
    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((at) => now - at < policy.windowMs);
    this.crashTimes.push(now);
    const remote = this.definition.transport !== 'stdio';
    if (!remote && (policy.mode === 'never' || this.crashTimes.length >= policy.maxCrashes)) {
      this.logger.error({ reason, crashes: this.crashTimes.length, stderr: this.stderr.slice(-5) }, 'MCP server failed; not restarting it');
      this.setState('failed');
      return;
    }
    // Remote servers are never given up on: they come back when their host does.
    const exponent = Math.min(this.crashTimes.length - 1, 30);
    const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.logger.warn({ reason, delayMs: delay }, 'MCP server stopped; restarting it');
    this.setState('restarting');
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.restarts++;
      this.connecting = this.connect();
    }, delay);
    this.restartTimer.unref();
  }

  /** Closes the connection; a child that ignores the end of its stdin is killed. */
  private async disconnect(): Promise<void> {
    const client = this.client;
    const transport = this.transport;
    this.client = undefined;
    this.transport = undefined;
    if (!transport) return;
    const pid = transport instanceof StdioClientTransport ? transport.pid : null;
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await (client ?? transport).close().catch(() => undefined);
  }

  private keepStderr(line: string): void {
    this.stderr.push(redact(line, this.resolved.secrets).slice(0, 2_000));
    if (this.stderr.length > stderrLines) this.stderr.splice(0, this.stderr.length - stderrLines);
  }

  private stderrHint(): string {
    const last = this.stderr.at(-1);
    return last ? `; last stderr line: ${last.slice(0, 300)}` : '';
  }

  private setState(state: McpServerState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateSince = Date.now();
    this.listener.onStateChange?.(this);
  }
}
