import 'reflect-metadata';
import { createServiceApp, createTransport, loadConfig, McpBrokerEnv, requireVariables, runMain, ServiceName } from '@dataflow/shared';
import { McpBrokerModule } from './mcp-broker.module.js';
import { loadMcpConfig } from './config/mcp-config.js';

runMain('mcp-broker', async () => {
  const config = loadConfig(McpBrokerEnv);
  requireVariables(config, ['REDIS_URL'], 'when the MCP broker runs as its own process');
  const mcpConfig = await loadMcpConfig(config.MCP_CONFIG);
  const transport = createTransport(config);
  const app = await createServiceApp(McpBrokerModule.forRoot({ config, mcpConfig, transport }), ServiceName.McpBroker, transport);
  await app.listen(config.HEALTH_PORT);
  return [app, transport];
});
