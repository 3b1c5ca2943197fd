import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Closable,
  ConversationsEnv,
  createServiceApp,
  createTransport,
  GatewayEnv,
  loadConfig,
  McpBrokerEnv,
  runMain,
  ServiceName,
  StandaloneEnv,
} from '@dataflow/shared';
import { ConversationsServiceModule } from '../../conversations/src/conversations-service.module.js';
import { runMigrations } from '../../conversations/src/database/data-source.js';
import { createGatewayApp } from '../../gateway/src/gateway.app.js';
import { McpBrokerModule } from '../../mcp-broker/src/mcp-broker.module.js';
import { loadMcpConfig } from '../../mcp-broker/src/config/mcp-config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { standaloneJwtSecret } from './jwt-secret.js';

/**
 * `npm start`: the whole platform in one process. Postgres is embedded unless DATABASE_URL is
 * set, and the apps are linked in process unless REDIS_URL is set.
 */
runMain('standalone', async () => {
  const { DATA_DIR } = loadConfig(StandaloneEnv);
  const gatewayConfig = loadConfig(GatewayEnv, { HOST: '127.0.0.1', ...process.env });
  const conversationsConfig = loadConfig(ConversationsEnv);
  const dataDir = resolve(DATA_DIR);
  const brokerConfig = loadConfig(McpBrokerEnv, { USER_DATA_ROOT: join(dataDir, 'users'), ...process.env });
  const mcpConfig = await loadMcpConfig(brokerConfig.MCP_CONFIG);
  await mkdir(dataDir, { recursive: true });
  gatewayConfig.JWT_SECRET ??= await standaloneJwtSecret(dataDir);

  const closables: Closable[] = [];
  let databaseUrl = conversationsConfig.DATABASE_URL;
  let databaseNote = 'external Postgres (DATABASE_URL)';
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres(join(dataDir, 'postgres'));
    closables.unshift(embedded);
    databaseUrl = embedded.url;
    databaseNote = `embedded Postgres on 127.0.0.1:${embedded.port}`;
  }
  await runMigrations(databaseUrl);

  const transport = createTransport(gatewayConfig);
  closables.unshift(transport);
  const conversations = await createServiceApp(
    ConversationsServiceModule.forRoot({ config: { ...conversationsConfig, DATABASE_URL: databaseUrl }, transport }),
    ServiceName.Conversations,
    transport,
  );
  closables.unshift(await conversations.init());
  const broker = await createServiceApp(McpBrokerModule.forRoot({ config: brokerConfig, mcpConfig, transport }), ServiceName.McpBroker, transport);
  closables.unshift(await broker.init());
  const gateway = await createGatewayApp({ config: gatewayConfig, transport });
  await gateway.listen(gatewayConfig.PORT, gatewayConfig.HOST);
  closables.unshift(gateway);

  const { port } = gateway.getHttpServer().address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(gatewayConfig.HOST) ? 'localhost' : gatewayConfig.HOST;
  console.log(
    [
      '',
      `MCP DataFlow Chat is running at http://${host}:${port}`,
      `  data:      ${dataDir} (${databaseNote})`,
      `  apps:      ${transport.kind === 'in-process' ? 'linked in this process' : 'talking over Redis (REDIS_URL)'}`,
      `  accounts:  the first account to register (POST /api/v1/auth/register) becomes the admin. The MCP`,
      `             routes are not behind sign-in yet: they are open to whoever can reach ${gatewayConfig.HOST}:${port}`,
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  return closables;
});
