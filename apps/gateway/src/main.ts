import 'reflect-metadata';
import { createTransport, GatewayEnv, loadConfig, requireVariables, runMain } from '@dataflow/shared';
import { createGatewayApp } from './gateway.app.js';

runMain('gateway', async () => {
  const config = loadConfig(GatewayEnv);
  requireVariables(config, ['REDIS_URL'], 'when the gateway runs as its own process (npm start runs the whole platform without it)');
  requireVariables(config, ['JWT_SECRET'], 'when the gateway runs as its own process, to sign access tokens (e.g. openssl rand -base64 48); every replica needs the same one');
  const transport = createTransport(config);
  const app = await createGatewayApp({ config, transport });
  await app.listen(config.PORT, config.HOST);
  return [app, transport];
});
