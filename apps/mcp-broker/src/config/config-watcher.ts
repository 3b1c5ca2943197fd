import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { McpBrokerEnv } from '@dataflow/shared';
import { ServerRegistry } from '../registry/server-registry.js';

const settleMs = 200;

/**
 * Reloads MCP_CONFIG when the file changes. It watches the folder, not the file, because editors
 * save by writing a new file and renaming it over the old one, which ends a watch on the file.
 */
@Injectable()
export class ConfigWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConfigWatcher.name);
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private lastText?: string;

  constructor(
    private readonly env: McpBrokerEnv,
    private readonly registry: ServerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.env.MCP_CONFIG_WATCH) return;
    const path = resolve(this.env.MCP_CONFIG);
    this.lastText = await readFile(path, 'utf8').catch(() => undefined);
    try {
      // Not persistent: the broker stays up for its connections, not for this watch.
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file !== null && file !== basename(path)) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reloadIfChanged(path), settleMs);
      });
      this.watcher.on('error', (error) => this.logger.warn({ err: error.message }, 'stopped watching the MCP config'));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'cannot watch the MCP config; use POST /api/v1/admin/mcp/reload');
    }
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private async reloadIfChanged(path: string): Promise<void> {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined || text === this.lastText) return;
    this.lastText = text;
    try {
      const report = await this.registry.reload();
      this.logger.log({ ...report }, 'MCP config reloaded after the file changed');
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, 'the changed MCP config was not applied');
    }
  }
}
