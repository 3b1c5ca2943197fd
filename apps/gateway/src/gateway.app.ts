import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { createValidationPipe } from '@dataflow/shared';
import { describeProblems } from './errors/openapi-problems.js';
import { ProblemDetailsFilter } from './errors/problem-details.filter.js';
import { GatewayModule, type GatewayOptions } from './gateway.module.js';
import { mountMcpEndpoint } from './mcp/aggregate/aggregate.endpoint.js';
import { installRequestPipeline } from './http/request-pipeline.js';

/** The gateway, configured but not listening: `main.ts` and the standalone launcher both start it. */
export async function createGatewayApp(options: GatewayOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(options), { bufferLogs: true, bodyParser: false, abortOnError: false });
  app.disable('x-powered-by');
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = options.config.HTTP_KEEP_ALIVE_MS;
  // A request's headers on a reused connection must be allowed to come until the connection would close.
  server.headersTimeout = options.config.HTTP_KEEP_ALIVE_MS + 1_000;
  app.useLogger(app.get(Logger));
  installRequestPipeline(app);
  mountMcpEndpoint(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  publishOpenApi(app);
  return app;
}

/** The API's description: OpenAPI 3 at `/api/openapi.json`, and Swagger UI at `/api/docs`. */
function publishOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('MCP DataFlow Chat API')
    .setDescription('Chat with your own data. Errors are problem+json (RFC 9457) with a `code`; 5xx answers carry an `errorId`.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /api/v1/auth/login or /refresh' }, 'access-token')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key, dfc_…' }, 'api-key')
    .addCookieAuth('dfc_refresh', { type: 'apiKey', in: 'cookie', name: 'dfc_refresh', description: 'The refresh token, set by login' }, 'refresh-cookie')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  describeProblems(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', yamlDocumentUrl: 'api/openapi.yaml' });
}
