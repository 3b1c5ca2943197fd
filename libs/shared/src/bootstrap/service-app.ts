import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { RpcErrorFilter } from '../errors/rpc-error.filter.js';
import { createValidationPipe } from '../errors/validation.js';
import type { ServiceName } from '../contracts/service-name.js';
import type { Transport } from '../transport/transport.js';

/**
 * A microservice: it answers its contract's patterns over the transport, and has an HTTP side
 * for orchestrator probes, which the caller starts with `listen()` (distributed) or leaves
 * closed with `init()` (standalone).
 */
export async function createServiceApp(module: Type | object, service: ServiceName, transport: Transport): Promise<INestApplication> {
  const app = await NestFactory.create(module as Type, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  // Deferred, so that the pipe and filter below are in place before its handlers are registered.
  const microservice = app.connectMicroservice({ strategy: transport.createServer(service) }, { deferInitialization: true });
  microservice.useGlobalPipes(createValidationPipe());
  microservice.useGlobalFilters(new RpcErrorFilter());
  await app.startAllMicroservices();
  return app;
}
