import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  AppError,
  ErrorCode,
  type McpReloadReport,
  type McpServerDetail,
  type McpServerState,
  type McpServerSummary,
  McpBrokerEnv,
} from '@dataflow/shared';
import { interpolate, type ResolvedDefinition, viewOf } from '../config/interpolation.js';
import { type InvalidDefinition, loadMcpConfig, type McpConfig, type McpServerDefinition } from '../config/mcp-config.js';
import { ServerInstance } from '../supervision/server-instance.js';
import { toolInfo } from '../catalog/catalog-items.js';

export const MCP_CONFIG = Symbol('McpConfig');

/** One configured server: its definition, and the instances running it. */
interface Entry {
  name: string;
  definition: McpServerDefinition | InvalidDefinition;
  fingerprint: string;
  /** Why it cannot run as configured (a broken entry, a missing variable). */
  problem?: string;
  /** An admin's enable/disable at runtime; it outlives reloads that leave the entry as it was. */
  enabledOverride?: boolean;
  shared?: ServerInstance;
  users: Map<string, ServerInstance>;
  resolved?: ResolvedDefinition;
}

const userIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The one owner of the broker's MCP servers: which are configured, which instances run them
 * (one shared, or one per user), and what changes on reload. Calls go through the catalog.
 */
@Injectable()
export class ServerRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ServerRegistry.name);
  private readonly entries = new Map<string, Entry>();
  private reaper?: NodeJS.Timeout;
  private readonly userDataRoot: string;

  constructor(
    @Inject(MCP_CONFIG) private readonly initialConfig: McpConfig,
    private readonly env: McpBrokerEnv,
  ) {
    this.userDataRoot = resolve(env.USER_DATA_ROOT);
  }

  onApplicationBootstrap(): void {
    this.apply(this.initialConfig);
    const every = Math.min(60_000, Math.max(250, Math.floor(this.env.MCP_USER_IDLE_MS / 4)));
    this.reaper = setInterval(() => void this.reapIdle(), every).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.entries.values()].map((entry) => this.stopEntry(entry, 'disabled')));
  }

  /** Re-reads MCP_CONFIG. A file that cannot be read or parsed changes nothing. */
  async reload(): Promise<McpReloadReport> {
    const config = await loadMcpConfig(this.env.MCP_CONFIG).catch((error: Error) => {
      throw new AppError(ErrorCode.BadRequest, `The MCP config was not reloaded: ${error.message}`);
    });
    return this.apply(config);
  }

  list(userId?: string): McpServerSummary[] {
    return [...this.entries.values()].map((entry) => this.summarize(entry, userId));
  }

  detail(name: string, userId?: string): McpServerDetail {
    const entry = this.entry(name);
    const instance = this.existingInstance(entry, userId);
    const definition = entry.definition.transport === 'invalid' ? undefined : entry.definition;
    return {
      ...this.summarize(entry, userId),
      definition: definition ? viewOf(definition) : { timeoutMs: 0 },
      tools: instance && definition ? instance.tools.map((tool) => toolInfo(name, tool)) : [],
      stderr: instance ? [...instance.stderr] : [],
    };
  }

  async restart(name: string, userId?: string): Promise<McpServerSummary> {
    // instance() refuses a disabled or broken server, and finds (or starts) the user's instance.
    const instance = await this.instance(name, userId);
    await instance.restart();
    return this.summarize(this.entry(name), userId);
  }

  async setEnabled(name: string, enabled: boolean): Promise<McpServerSummary> {
    const entry = this.entry(name);
    entry.enabledOverride = enabled;
    if (!enabled) await this.stopEntry(entry, 'disabled');
    else if (this.scopeOf(entry) === 'shared' && !entry.shared) this.startShared(entry);
    this.logger.log({ server: name, enabled }, 'MCP server enabled state changed');
    return this.summarize(entry);
  }

  /** The servers a user can reach now (enabled, runnable): shared ones, and per-user ones given a user. */
  reachableNames(userId?: string): string[] {
    return [...this.entries.values()]
      .filter((entry) => this.isEnabled(entry) && !entry.problem && (this.scopeOf(entry) === 'shared' || userId !== undefined))
      .map((entry) => entry.name);
  }

  /** The instance that serves this user for this server, started (and awaited) if need be. */
  async instance(name: string, userId?: string): Promise<ServerInstance> {
    const entry = this.entry(name);
    if (!this.isEnabled(entry)) throw this.disabledError(entry);
    if (entry.problem) throw new AppError(ErrorCode.ServerUnavailable, `The MCP server "${name}" cannot start: ${entry.problem}`, { server: name });
    if (this.scopeOf(entry) === 'shared') {
      if (!entry.shared) this.startShared(entry);
      return entry.shared!;
    }
    if (userId === undefined) {
      throw new AppError(ErrorCode.BadRequest, `The MCP server "${name}" runs one instance per user, and this request has no user`, { server: name });
    }
    if (!userIdPattern.test(userId)) throw new AppError(ErrorCode.BadRequest, 'The user id must be 1-64 letters, digits, _ or -');
    const existing = entry.users.get(userId);
    if (existing) {
      existing.lastUsed = Date.now();
      return existing;
    }
    return this.startForUser(entry, userId);
  }

  definitionOf(name: string): McpServerDefinition {
    const definition = this.entry(name).definition;
    if (definition.transport === 'invalid') throw new AppError(ErrorCode.ServerUnavailable, definition.problem, { server: name });
    return definition;
  }

  /** The folder a per-user server works on for this user (`${USER_DATA_DIR}`); undefined for a shared server. */
  dataDirOf(name: string, userId?: string): string | undefined {
    return this.scopeOf(this.entry(name)) === 'user' && userId !== undefined ? join(this.userDataRoot, userId) : undefined;
  }

  /** Every live child process's pid, for tests and diagnostics. */
  childPids(): number[] {
    return [...this.entries.values()]
      .flatMap((entry) => [entry.shared, ...entry.users.values()])
      .map((instance) => instance?.pid)
      .filter((pid): pid is number => pid !== undefined);
  }

  private apply(config: McpConfig): McpReloadReport {
    const report: McpReloadReport = { added: [], removed: [], changed: [], unchanged: [], errors: {} };
    for (const [name, entry] of this.entries) {
      if (config.servers.has(name)) continue;
      this.entries.delete(name);
      report.removed.push(name);
      void this.stopEntry(entry, 'disabled');
    }
    for (const [name, definition] of config.servers) {
      const fingerprint = config.fingerprints.get(name) ?? '';
      const current = this.entries.get(name);
      if (current?.fingerprint === fingerprint) {
        report.unchanged.push(name);
        continue;
      }
      if (current) void this.stopEntry(current, 'disabled');
      (current ? report.changed : report.added).push(name);
      const entry: Entry = { name, definition, fingerprint, users: new Map() };
      this.entries.set(name, entry);
      this.prepare(entry);
      if (entry.problem) report.errors[name] = entry.problem;
      else if (this.isEnabled(entry) && this.scopeOf(entry) === 'shared') this.startShared(entry);
    }
    if (report.added.length + report.removed.length + report.changed.length > 0) {
      this.logger.log({ added: report.added, removed: report.removed, changed: report.changed }, 'MCP config applied');
    }
    return report;
  }

  /** Checks what can be checked before starting: a broken entry, a variable that is not set. */
  private prepare(entry: Entry): void {
    if (entry.definition.transport === 'invalid') {
      entry.problem = entry.definition.problem;
    } else if (entry.definition.scope === 'shared') {
      try {
        entry.resolved = interpolate(entry.name, entry.definition, process.env);
      } catch (error) {
        entry.problem = (error as Error).message;
      }
    } else {
      try {
        interpolate(entry.name, entry.definition, process.env, { USER_DATA_DIR: '', USER_ID: '' });
      } catch (error) {
        entry.problem = (error as Error).message;
      }
    }
    if (entry.problem) this.logger.error({ server: entry.name, problem: entry.problem }, 'MCP server cannot start');
  }

  private startShared(entry: Entry): void {
    if (!entry.resolved) return;
    entry.shared = new ServerInstance(entry.name, entry.resolved);
    void entry.shared.start();
  }

  private async startForUser(entry: Entry, userId: string): Promise<ServerInstance> {
    const definition = entry.definition as McpServerDefinition;
    const dataDir = join(this.userDataRoot, userId);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const resolved = interpolate(entry.name, definition, process.env, { USER_DATA_DIR: dataDir, USER_ID: userId });
    // A concurrent request may have started it while the folder was made.
    const raced = entry.users.get(userId);
    if (raced) return raced;
    await this.makeRoomForOneMore();
    const instance = new ServerInstance(entry.name, resolved, {}, userId);
    entry.users.set(userId, instance);
    void instance.start();
    return instance;
  }

  private async makeRoomForOneMore(): Promise<void> {
    const all = [...this.entries.values()].flatMap((entry) => [...entry.users.values()].map((instance) => ({ entry, instance })));
    if (all.length < this.env.MCP_USER_INSTANCE_LIMIT) return;
    all.sort((a, b) => a.instance.lastUsed - b.instance.lastUsed);
    const evicted = all.slice(0, all.length - this.env.MCP_USER_INSTANCE_LIMIT + 1);
    await Promise.all(evicted.map(({ entry, instance }) => this.stopUserInstance(entry, instance, 'evicted to stay within MCP_USER_INSTANCE_LIMIT')));
  }

  private async reapIdle(): Promise<void> {
    const cutoff = Date.now() - this.env.MCP_USER_IDLE_MS;
    for (const entry of this.entries.values()) {
      for (const instance of entry.users.values()) {
        if (instance.lastUsed < cutoff) await this.stopUserInstance(entry, instance, 'idle');
      }
    }
  }

  private async stopUserInstance(entry: Entry, instance: ServerInstance, why: string): Promise<void> {
    if (entry.users.get(instance.userId!) === instance) entry.users.delete(instance.userId!);
    this.logger.log({ server: entry.name, userId: instance.userId, why }, 'stopped a per-user MCP server instance');
    await instance.stop('idle');
  }

  private async stopEntry(entry: Entry, state: McpServerState): Promise<void> {
    const instances = [entry.shared, ...entry.users.values()].filter((i): i is ServerInstance => i !== undefined);
    entry.shared = undefined;
    entry.users.clear();
    await Promise.all(instances.map((instance) => instance.stop(state)));
  }

  private summarize(entry: Entry, userId?: string): McpServerSummary {
    const definition = entry.definition;
    const instance = this.existingInstance(entry, userId);
    const scope = this.scopeOf(entry);
    const anyInstance = instance ?? entry.users.values().next().value;
    const stateOf = (): { state: McpServerState; since: number; lastError?: string } => {
      if (entry.problem) return { state: 'failed', since: Date.now(), lastError: entry.problem };
      if (!this.isEnabled(entry)) return { state: 'disabled', since: instance?.stateSince ?? Date.now() };
      if (!instance) return { state: 'idle', since: Date.now() };
      return { state: instance.state, since: instance.stateSince, lastError: instance.lastError };
    };
    const { state, since, lastError } = stateOf();
    const summary: McpServerSummary = {
      name: entry.name,
      transport: definition.transport === 'invalid' ? 'stdio' : definition.transport,
      scope,
      enabled: this.isEnabled(entry),
      state,
      stateSince: new Date(since).toISOString(),
      stateAgeMs: Date.now() - since,
      restarts: instance?.restarts ?? 0,
      toolCount: anyInstance?.tools.length ?? 0,
    };
    if (definition.description !== undefined) summary.description = definition.description;
    if (lastError !== undefined) summary.lastError = lastError;
    if (scope === 'user') summary.instances = entry.users.size;
    return summary;
  }

  private existingInstance(entry: Entry, userId?: string): ServerInstance | undefined {
    return this.scopeOf(entry) === 'shared' ? entry.shared : userId === undefined ? undefined : entry.users.get(userId);
  }

  private scopeOf(entry: Entry) {
    return entry.definition.transport === 'invalid' ? 'shared' : entry.definition.scope;
  }

  private isEnabled(entry: Entry): boolean {
    return entry.enabledOverride ?? (entry.definition.transport === 'invalid' ? true : entry.definition.enabled);
  }

  private disabledError(entry: Entry): AppError {
    return new AppError(ErrorCode.ServerUnavailable, `The MCP server "${entry.name}" is disabled`, { server: entry.name });
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new AppError(ErrorCode.NotFound, `There is no MCP server named "${name}"`, { server: name });
    return entry;
  }
}
