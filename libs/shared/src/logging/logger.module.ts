import type { DynamicModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { LogLevel } from '../config/env.js';
import { currentProcessName } from '../bootstrap/run-main.js';
import { currentRequestContext } from '../context/request-context.js';

function levelFor(req: IncomingMessage, res: ServerResponse, error?: Error): string {
  if (error || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return req.url?.startsWith('/health') ? 'debug' : 'info';
}

/**
 * Structured JSON logs. Every line written while a request is handled carries its correlationId,
 * in whichever app the line is written: the id crosses the transport. nestjs-pino keeps one root
 * logger per process, so lines are labelled with the process (`app`), and `context` names the class.
 */
export function createLoggerModule(level: LogLevel): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { app: currentProcessName(), pid: process.pid },
      mixin: () => {
        const context = currentRequestContext();
        return context ? { correlationId: context.correlationId } : {};
      },
      genReqId: (req) => currentRequestContext()?.correlationId ?? String(req.headers['x-request-id'] ?? ''),
      customLogLevel: levelFor,
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      quietReqLogger: true,
    },
  });
}
