import { type INestApplication, Inject, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { accessProblem } from '../../auth/access.guard.js';
import { BearerAuthenticator } from '../../auth/bearer-authenticator.js';
import { McpBrokerClient } from '../mcp-broker.client.js';
import { createAggregateServer } from './aggregate-server.js';
import { McpSessions } from './mcp-sessions.service.js';
import { OriginPolicy } from './origin-policy.js';

export const MCP_ORIGIN_POLICY = Symbol('McpOriginPolicy');

/** The codes the SDK's transport uses for the same answers, so that clients see one style. */
const transportError = -32000;
const sessionNotFound = -32001;

const allowedMethods = 'GET, POST, DELETE';
const allowedHeaders = 'Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID';

function sendJsonRpcError(response: Response, status: number, code: number, message: string): void {
  response.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * `/mcp`: every tool, resource and prompt of the broker as one MCP server, over Streamable HTTP
 * (POST for messages, GET for the server's stream, DELETE to end a session). Each session is
 * its own server; its id comes back in `Mcp-Session-Id` and the client sends it on every request.
 * Pages on an allowed origin get CORS headers; pages on any other origin get a 403. Every request
 * carries `Authorization: Bearer` (an access token, or an API key with `mcp:call`); a session
 * belongs to the user who opened it, and per-user servers run as that user.
 */
@Injectable()
export class McpAggregateEndpoint {
  private readonly logger = new Logger('McpAggregate');

  constructor(
    private readonly broker: McpBrokerClient,
    private readonly sessions: McpSessions,
    private readonly bearer: BearerAuthenticator,
    @Inject(MCP_ORIGIN_POLICY) private readonly origins: OriginPolicy,
  ) {}

  async handle(request: Request, response: Response): Promise<void> {
    const origin = request.headers.origin;
    const verdict = this.origins.check(origin, request.headers.host);
    if (!verdict.allowed) return sendJsonRpcError(response, 403, transportError, `Forbidden: ${verdict.reason}`);
    if (origin !== undefined) response.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Mcp-Session-Id', Vary: 'Origin' });
    switch (request.method) {
      case 'OPTIONS':
        // The preflight of a page on an allowed origin.
        response.status(204).set({ 'Access-Control-Allow-Methods': allowedMethods, 'Access-Control-Allow-Headers': allowedHeaders, 'Access-Control-Max-Age': '600' }).end();
        return;
      case 'POST':
      case 'GET':
      case 'DELETE':
        return this.exchange(request, response);
      default:
        response.set('Allow', allowedMethods);
        return sendJsonRpcError(response, 405, transportError, `Method Not Allowed: ${allowedMethods} only`);
    }
  }

  private async exchange(request: Request, response: Response): Promise<void> {
    if (request.method === 'POST' && request.body === undefined) {
      return sendJsonRpcError(response, 415, transportError, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const caller = await this.bearer.authenticate(request.headers.authorization);
    if (!caller) {
      response.set('WWW-Authenticate', 'Bearer realm="mcp"');
      return sendJsonRpcError(response, 401, transportError, 'Unauthorized: send Authorization: Bearer <access token or API key with the mcp:call scope>');
    }
    const refused = accessProblem({ kind: 'scope', scope: 'mcp:call' }, caller);
    if (refused) return sendJsonRpcError(response, 403, transportError, `Forbidden: ${refused.message}`);
    const userId = caller.userId;
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.find(sessionId, userId);
      if (!session) return sendJsonRpcError(response, 404, sessionNotFound, 'Session not found: it ended or never existed; send a new initialize request');
      return this.sessions.serve(session, request, response, request.body);
    }
    if (request.method === 'POST' && isInitializeRequest(request.body)) {
      return this.sessions.open(userId, createAggregateServer(this.broker, userId, this.logger), request, response, request.body);
    }
    sendJsonRpcError(response, 400, transportError, 'Bad Request: the Mcp-Session-Id header is missing; a session starts with an initialize request');
  }

  /** The last resort for an error none of the handlers answered: logged, and a JSON-RPC error rather than express's HTML page. */
  fail(error: unknown, response: Response): void {
    this.logger.error({ err: error }, 'unexpected error serving /mcp');
    if (!response.headersSent) sendJsonRpcError(response, 500, transportError, 'Internal error: the gateway could not serve this request');
    else response.end();
  }
}

/**
 * Serves `/mcp` ahead of Nest's router, right after the request pipeline (correlation id, JSON
 * body). It is a protocol endpoint with its own error format, and each call is one JSON-RPC
 * message, so Nest's routing, interceptors and per-request access log would add only cost: about
 * a quarter of the gateway's CPU per tool call (bench/mcp). Sessions are logged as they open and
 * close instead. Call after the request pipeline and before `init()`.
 */
export function mountMcpEndpoint(app: INestApplication): void {
  const endpoint = app.get(McpAggregateEndpoint);
  app.use('/mcp', (request: Request, response: Response, next: NextFunction) => {
    if (request.path !== '/') return next(); // only `/mcp` itself, not paths below it
    endpoint.handle(request, response).catch((error: unknown) => endpoint.fail(error, response));
  });
}
