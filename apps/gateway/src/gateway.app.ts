import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { createValidationPipe } from '@dataflow/shared';
import { ProblemDetailsFilter } from './errors/problem-details.filter.js';
import { GatewayModule, type GatewayOptions } from './gateway.module.js';
import { mountMcpEndpoint } from './mcp/aggregate/aggregate.endpoint.js';
import { installRequestPipeline } from './http/request-pipeline.js';

/** The gateway, configured but not listening: `main.ts` and the standalone launcher both start it. */
export async function createGatewayApp(options: GatewayOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(options), { bufferLogs: true, bodyParser: false, abortOnError: false });
  app.disable('x-powered-by');
  app.useLogger(app.get(Logger));
  installRequestPipeline(app);
  mountMcpEndpoint(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  return app;
}
