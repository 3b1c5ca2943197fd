import type { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type McpError, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { ChurningMap } from '@dataflow/shared';
import { abortedOnDisconnect } from '../../http/client-disconnect.js';
import type { McpBrokerClient } from '../mcp-broker.client.js';
import { type ReportUnexpected, toolCallFailure } from './broker-errors.js';

type RequestId = string | number;

interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: { name?: unknown; arguments?: unknown; requestId?: unknown; _meta?: { progressToken?: unknown } };
}

function isMessage(body: unknown): body is JsonRpcMessage {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as JsonRpcMessage).jsonrpc === '2.0';
}

/** Express's `json()` also hashes the body for an ETag, which no POST reply needs: on this path that cost is a tenth of the call. */
function sendJson(response: Response, message: object): void {
  const body = JSON.stringify(message);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/**
 * The hot path of `/mcp`. A POST that holds one `tools/call` without a progress token can bring
 * no notifications, so it is answered with one JSON body (which the transport spec allows)
 * straight from the broker. The SDK's transport and protocol layers would cost more than the
 * rest of the call together. Everything else, and every call that wants progress, goes through
 * the SDK. A client's `notifications/cancelled` for a call on this path is honoured here.
 */
export class DirectToolCalls {
  /** Calls in flight on this path, per session, by JSON-RPC id. */
  private readonly running = new ChurningMap<string, Map<RequestId, AbortController>>();

  constructor(
    private readonly broker: McpBrokerClient,
    private readonly reportUnexpected: ReportUnexpected,
    private readonly logger: Logger,
  ) {}

  /** Answers the request if it belongs on this path; false leaves it to the SDK transport. */
  async handle(sessionId: string, userId: string, request: Request, response: Response): Promise<boolean> {
    const body: unknown = request.body;
    if (request.method !== 'POST' || !isMessage(body) || !this.speaksOurTerms(request)) return false;
    if (body.method === 'notifications/cancelled') return this.cancel(sessionId, body, response);
    const id = body.id;
    if (body.method !== 'tools/call' || (typeof id !== 'string' && typeof id !== 'number')) return false;
    const params = body.params;
    if (typeof params?.name !== 'string' || params._meta?.progressToken !== undefined) return false;
    if (params.arguments !== undefined && (typeof params.arguments !== 'object' || params.arguments === null || Array.isArray(params.arguments))) return false;
    await this.call(sessionId, userId, id, params.name, params.arguments as Record<string, unknown> | undefined, response);
    return true;
  }

  /** Cancels every call of a session that ends. */
  endSession(sessionId: string): void {
    for (const abort of this.running.get(sessionId)?.values() ?? []) abort.abort(new Error('The MCP session ended'));
    this.running.delete(sessionId);
  }

  private async call(sessionId: string, userId: string, id: RequestId, name: string, args: Record<string, unknown> | undefined, response: Response): Promise<void> {
    const abort = abortedOnDisconnect(response);
    const calls = this.running.get(sessionId) ?? new Map<RequestId, AbortController>();
    this.running.set(sessionId, calls);
    calls.set(id, abort);
    let answer: Record<string, unknown>;
    try {
      answer = { result: await this.broker.callTool({ qualifiedName: name, arguments: args, userId }, { signal: abort.signal }) };
    } catch (error) {
      if (abort.signal.aborted) {
        // Cancelled: the spec says the server sends no response; the HTTP request just ends.
        this.logger.debug({ tool: name }, 'tool call cancelled by the MCP client');
        if (!response.headersSent) response.status(202).end();
        return;
      }
      answer = this.failure(error);
    } finally {
      calls.delete(id);
      if (calls.size === 0 && this.running.get(sessionId) === calls) this.running.delete(sessionId);
    }
    if (!response.writableEnded) sendJson(response, { jsonrpc: '2.0', id, ...answer });
  }

  private failure(error: unknown): Record<string, unknown> {
    try {
      return { result: toolCallFailure(error, this.reportUnexpected) };
    } catch (rpcError) {
      const { code, message, data } = rpcError as McpError;
      return { error: data === undefined ? { code, message } : { code, message, data } };
    }
  }

  private cancel(sessionId: string, body: JsonRpcMessage, response: Response): boolean {
    const requestId = body.params?.requestId;
    const abort = typeof requestId === 'string' || typeof requestId === 'number' ? this.running.get(sessionId)?.get(requestId) : undefined;
    if (!abort) return false;
    abort.abort(new Error('The MCP client cancelled the call'));
    response.status(202).end();
    return true;
  }

  /** What the SDK transport would insist on; anything else goes there, to be refused in its words. */
  private speaksOurTerms(request: Request): boolean {
    const accept = request.headers.accept ?? '';
    const version = request.headers['mcp-protocol-version'];
    return (
      accept.includes('application/json') &&
      accept.includes('text/event-stream') &&
      (request.headers['content-type'] ?? '').includes('application/json') &&
      (version === undefined || (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version)))
    );
  }
}
