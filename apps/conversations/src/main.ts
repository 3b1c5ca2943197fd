import 'reflect-metadata';
import { ConversationsEnv, createServiceApp, createTransport, loadConfig, requireVariables, runMain, ServiceName } from '@dataflow/shared';
import { ConversationsServiceModule } from './conversations-service.module.js';

runMain('conversations', async () => {
  const config = loadConfig(ConversationsEnv);
  requireVariables(config, ['DATABASE_URL', 'REDIS_URL'], 'when the conversations service runs as its own process');
  const transport = createTransport(config);
  const app = await createServiceApp(
    ConversationsServiceModule.forRoot({ config: { ...config, DATABASE_URL: config.DATABASE_URL! }, transport }),
    ServiceName.Conversations,
    transport,
  );
  await app.listen(config.HEALTH_PORT);
  return [app, transport];
});
