import type { INestApplication } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { correlationIdFrom, ErrorCode, runInRequestContext } from '@dataflow/shared';
import { problemFor } from '../errors/problem-details.js';
import { sendProblem } from '../errors/problem-details.filter.js';
import { inputProblem } from './input-screen.js';

const jsonBodyLimit = '1mb';

/** The routes that take multipart bodies (file uploads); every other body is JSON. */
const multipartRoutes = ['/api/v1/files'];

/** Gives each request a correlation id (the caller's X-Request-Id when it is safe to log) for every app's logs. */
function correlate(request: Request, response: Response, next: NextFunction): void {
  const correlationId = correlationIdFrom(request.headers['x-request-id']);
  request.headers['x-request-id'] = correlationId;
  response.setHeader('x-request-id', correlationId);
  runInRequestContext({ correlationId }, next);
}

/** Body-parser failures (bad JSON, too large, not UTF-8) as problem+json rather than express's HTML page. */
function bodyErrors(error: { type?: string; status?: number; message?: string }, request: Request, response: Response, next: NextFunction): void {
  if (error.type === 'entity.too.large') {
    sendProblem(response, problemFor(ErrorCode.PayloadTooLarge, `The body is larger than ${jsonBodyLimit}`, { instance: request.originalUrl }));
  } else if (error.type === 'entity.parse.failed') {
    sendProblem(response, problemFor(ErrorCode.BadRequest, 'The body is not valid JSON', { instance: request.originalUrl }));
  } else if (error.type === 'charset.unsupported' || error.type === 'encoding.unsupported') {
    sendProblem(response, problemFor(ErrorCode.UnsupportedMediaType, `${error.message ?? 'The body is in an encoding this API does not read'}: send UTF-8 JSON`, { instance: request.originalUrl }));
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

/** JSON bodies must be UTF-8: bytes that are not are refused rather than read as replacement characters. */
function verifyUtf8(_request: unknown, _response: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('The body is not valid UTF-8'), { status: 400 });
}

const hasBody = (request: Request) => Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;

/**
 * What JSON parsing lets through but no route should see: a body that is not JSON (outside the
 * upload routes), and bodies or queries with NUL characters, unpaired surrogates, prototype keys
 * or absurd nesting. Each is a 4xx that names the problem; `/mcp` answers in its own format.
 */
function screenInput(request: Request, response: Response, next: NextFunction): void {
  if (request.path === '/mcp') return next();
  const refuse = (code: ErrorCode, detail: string) => sendProblem(response, problemFor(code, detail, { instance: request.originalUrl }));
  const multipartRoute = multipartRoutes.includes(request.path);
  if (request.body === undefined && hasBody(request) && !(multipartRoute && request.is('multipart/form-data'))) {
    const expected = multipartRoute ? 'multipart/form-data, with the file in the field "file"' : 'application/json';
    return refuse(ErrorCode.UnsupportedMediaType, `Send the body as ${expected} (it came as ${request.headers['content-type'] ?? 'no content type'})`);
  }
  const problem = inputProblem(request.body, 'body') ?? inputProblem(request.query, 'query');
  if (problem) return refuse(ErrorCode.BadRequest, problem);
  next();
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers or a URL too large,
 * a malformed request line) get problem+json too, not Node's bare status line.
 */
function answerClientErrors(server: Server): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) return void socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({ ...problemFor(ErrorCode.BadRequest, tooLarge ? 'The URL or headers are too large' : 'The request is not valid HTTP'), status });
    socket.end(`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

/** What every request goes through before Nest routes it. Call before `init()`/`listen()`. */
export function installRequestPipeline(app: INestApplication): void {
  answerClientErrors(app.getHttpServer() as Server);
  app.use(correlate);
  app.use(withSecurityHeaders);
  app.use(express.json({ limit: jsonBodyLimit, verify: verifyUtf8 }));
  app.use(bodyErrors);
  app.use(screenInput);
}
