import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { correlationIdFrom, ErrorCode, runInRequestContext } from '@dataflow/shared';
import { problemFor } from '../errors/problem-details.js';
import { sendProblem } from '../errors/problem-details.filter.js';

const jsonBodyLimit = '1mb';

/** Gives each request a correlation id (the caller's X-Request-Id when it is safe to log) for every app's logs. */
function correlate(request: Request, response: Response, next: NextFunction): void {
  const correlationId = correlationIdFrom(request.headers['x-request-id']);
  request.headers['x-request-id'] = correlationId;
  response.setHeader('x-request-id', correlationId);
  runInRequestContext({ correlationId }, next);
}

/** Body-parser failures (bad JSON, too large) as problem+json rather than express's HTML page. */
function bodyErrors(error: { type?: string; status?: number; message?: string }, request: Request, response: Response, next: NextFunction): void {
  if (error.type === 'entity.too.large') {
    sendProblem(response, problemFor(ErrorCode.PayloadTooLarge, `The body is larger than ${jsonBodyLimit}`, { instance: request.originalUrl }));
  } else if (error.type === 'entity.parse.failed') {
    sendProblem(response, problemFor(ErrorCode.BadRequest, 'The body is not valid JSON', { instance: request.originalUrl }));
  } else if (error.status && error.status < 500) {
    sendProblem(response, problemFor(ErrorCode.BadRequest, error.message ?? 'The request body could not be read', { instance: request.originalUrl }));
  } else {
    next(error);
  }
}

/**
 * helmet's headers, with a Content-Security-Policy the web app runs under: its scripts and styles
 * are its own files; Angular and Material add component styles at run time (hence inline styles);
 * charts and previews use data: and blob: images. No framing, no plugins, no other origins.
 * `/mcp` is left out: it answers MCP clients, not pages, and it is the hot path.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
});

function withSecurityHeaders(request: Request, response: Response, next: NextFunction): void {
  if (request.path === '/mcp') return next();
  securityHeaders(request, response, next);
}

/** What every request goes through before Nest routes it. Call before `init()`/`listen()`. */
export function installRequestPipeline(app: INestApplication): void {
  app.use(correlate);
  app.use(withSecurityHeaders);
  app.use(express.json({ limit: jsonBodyLimit }));
  app.use(bodyErrors);
}
