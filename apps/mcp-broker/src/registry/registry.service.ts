import { Inject, Injectable } from '@nestjs/common';
import type { McpServerSummary } from '@dataflow/shared';
import { type McpConfig, summarize } from './mcp-config.js';

export const MCP_CONFIG = Symbol('McpConfig');

/** The one owner of the broker's view of its configured MCP servers. */
@Injectable()
export class RegistryService {
  constructor(@Inject(MCP_CONFIG) private readonly config: McpConfig) {}

  list(): McpServerSummary[] {
    return [...this.config.servers].map(([name, definition]) => summarize(name, definition));
  }
}
