import { type NoArguments, rpc, type ServiceHealth } from './rpc-contract.js';
import { ServiceName } from './service-name.js';

export type McpTransportKind = 'stdio' | 'streamable-http' | 'sse';

/** A configured MCP server as the API shows it: never its command line, env or headers. */
export interface McpServerSummary {
  name: string;
  transport: McpTransportKind;
  enabled: boolean;
  description?: string;
}

export const McpBrokerContract = {
  listServers: rpc<NoArguments, McpServerSummary[]>(ServiceName.McpBroker, 'mcp.servers.list'),
  health: rpc<NoArguments, ServiceHealth>(ServiceName.McpBroker, 'mcp-broker.health'),
};
