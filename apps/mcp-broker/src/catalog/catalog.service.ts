import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Observable } from 'rxjs';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import {
  AppError,
  type CallToolEvent,
  callToolHeartbeatMs,
  type CallToolRequest,
  ErrorCode,
  type GetPromptRequest,
  McpBrokerEnv,
  type McpPromptInfo,
  type McpPromptMessages,
  type McpResourceContents,
  type McpResourceInfo,
  type McpToolInfo,
  type McpToolResult,
  type ReadResourceRequest,
  splitQualifiedName,
} from '@dataflow/shared';
import { isToolAllowed, type McpServerDefinition } from '../config/mcp-config.js';
import { ServerRegistry } from '../registry/server-registry.js';
import { requestTimeoutMs, type ServerInstance } from '../supervision/server-instance.js';
import { AnalysisCache } from './analysis-cache.js';
import { promptInfo, resourceInfo, toolInfo } from './catalog-items.js';

/** A list waits this long for a server that is still starting; a slower one is left out of that list. */
const listWaitMs = 5_000;

interface Live {
  server: string;
  definition: McpServerDefinition;
  instance: ServerInstance;
}

/**
 * The broker's tools, resources and prompts across its servers, as one user sees them, and
 * the calls into them: arguments checked against the tool's schema first, then a call with a
 * timeout that progress restarts, cancelled when the caller goes away. A read-only, idempotent
 * tool is answered from the analysis cache when nothing it depends on changed.
 */
@Injectable()
export class CatalogService {
  private readonly validators = new WeakMap<Tool, JsonSchemaValidator<unknown>>();
  private readonly ajv = new AjvJsonSchemaValidator();
  private readonly cache: AnalysisCache;

  constructor(
    private readonly registry: ServerRegistry,
    env: McpBrokerEnv,
  ) {
    this.cache = new AnalysisCache({ maxBytes: env.ANALYSIS_CACHE_MAX_BYTES, ttlMs: env.ANALYSIS_CACHE_TTL_MS });
  }

  async listTools(userId?: string): Promise<McpToolInfo[]> {
    const live = await this.live(userId);
    return live.flatMap(({ server, definition, instance }) =>
      instance.tools.filter((tool) => isToolAllowed(definition, tool.name)).map((tool) => toolInfo(server, tool)),
    );
  }

  async listResources(userId?: string): Promise<McpResourceInfo[]> {
    const live = await this.live(userId);
    return live.flatMap(({ server, instance }) => instance.resources.map((resource) => resourceInfo(server, resource)));
  }

  async listPrompts(userId?: string): Promise<McpPromptInfo[]> {
    const live = await this.live(userId);
    return live.flatMap(({ server, instance }) => instance.prompts.map((prompt) => promptInfo(server, prompt)));
  }

  async readResource(request: ReadResourceRequest): Promise<McpResourceContents> {
    const instance =
      request.server !== undefined
        ? await this.registry.instance(request.server, request.userId)
        : (await this.live(request.userId)).find(({ instance }) => instance.resources.some((r) => r.uri === request.uri))?.instance;
    if (!instance) throw new AppError(ErrorCode.NotFound, `No MCP server lists the resource "${request.uri}"`);
    return instance.attempt({}, (client) => client.readResource({ uri: request.uri }, { timeout: requestTimeoutMs })) as Promise<McpResourceContents>;
  }

  async getPrompt(request: GetPromptRequest): Promise<McpPromptMessages> {
    const { server, name } = this.split(request.qualifiedName, 'prompt');
    const instance = await this.registry.instance(server, request.userId);
    await instance.ready();
    if (!instance.prompts.some((prompt) => prompt.name === name)) {
      throw new AppError(ErrorCode.NotFound, `The MCP server "${server}" has no prompt "${name}"`);
    }
    return instance.attempt({}, (client) => client.getPrompt({ name, arguments: request.arguments }, { timeout: requestTimeoutMs })) as Promise<McpPromptMessages>;
  }

  /** Progress events, a heartbeat every few seconds, then the result. Unsubscribing cancels the call. */
  callTool(request: CallToolRequest, signal: AbortSignal): Observable<CallToolEvent> {
    return new Observable<CallToolEvent>((subscriber) => {
      const abort = new AbortController();
      const cancel = () => abort.abort(signal.reason);
      signal.addEventListener('abort', cancel, { once: true });
      const heartbeat = setInterval(() => subscriber.next({ type: 'heartbeat' }), callToolHeartbeatMs);
      let settled = false;
      this.call(request, abort.signal, (progress) => subscriber.next({ type: 'progress', ...progress }))
        .then(
          (outcome) => {
            settled = true;
            subscriber.next({ type: 'result', ...outcome });
            subscriber.complete();
          },
          (error: unknown) => {
            settled = true;
            subscriber.error(error);
          },
        )
        .finally(() => clearInterval(heartbeat));
      // Runs on completion too: only a call still running is cancelled (notifications/cancelled).
      return () => {
        clearInterval(heartbeat);
        signal.removeEventListener('abort', cancel);
        if (!settled) abort.abort(new Error('The caller cancelled the call'));
      };
    });
  }

  private async call(
    request: CallToolRequest,
    signal: AbortSignal,
    onProgress: (progress: { progress: number; total?: number; message?: string }) => void,
  ): Promise<{ result: McpToolResult; cached: boolean; serverMs?: number }> {
    const { server, name } = this.split(request.qualifiedName, 'tool');
    const definition = this.registry.definitionOf(server);
    const noSuchTool = () => new AppError(ErrorCode.NotFound, `The MCP server "${server}" has no tool "${name}"`, { tool: request.qualifiedName });
    if (!isToolAllowed(definition, name)) throw noSuchTool();
    const instance = await this.registry.instance(server, request.userId);
    await instance.ready();
    const tool = instance.tools.find((candidate) => candidate.name === name);
    if (!tool) throw noSuchTool();
    const args = request.arguments ?? {};
    this.validate(tool, request.qualifiedName, args);
    const timeoutMs = request.timeoutMs ?? definition.timeoutMs;
    let serverMs: number | undefined;
    const run = async () => {
      const started = performance.now();
      try {
        return (await instance.callTool(name, args, { timeoutMs, signal, onProgress })) as McpToolResult;
      } finally {
        serverMs = Math.round((performance.now() - started) * 100) / 100;
      }
    };
    if (tool.annotations?.readOnlyHint !== true || tool.annotations?.idempotentHint !== true) {
      const result = await run();
      return { result, cached: false, serverMs };
    }
    const dataDir = this.registry.dataDirOf(server, request.userId);
    const scope = dataDir === undefined ? 'shared' : request.userId!;
    const outcome = await this.cache.through({ qualifiedName: request.qualifiedName, scope, arguments: args, definition, dataDir }, run);
    return outcome.cached ? outcome : { ...outcome, serverMs };
  }

  private validate(tool: Tool, qualified: string, args: Record<string, unknown>): void {
    let validator = this.validators.get(tool);
    if (!validator) {
      validator = this.ajv.getValidator(tool.inputSchema as JsonSchemaType);
      this.validators.set(tool, validator);
    }
    const outcome = validator(args);
    if (!outcome.valid) {
      throw new AppError(ErrorCode.ValidationFailed, `The arguments do not match the input schema of ${qualified}: ${outcome.errorMessage}`, {
        tool: qualified,
      });
    }
  }

  private split(qualified: string, kind: 'tool' | 'prompt'): { server: string; name: string } {
    const parts = splitQualifiedName(qualified);
    if (!parts) throw new AppError(ErrorCode.NotFound, `"${qualified}" is not a ${kind} name of the form server__${kind}`);
    return parts;
  }

  /** The instances that can answer for this user now; one still starting gets a few seconds. */
  private async live(userId?: string): Promise<Live[]> {
    const names = this.registry.reachableNames(userId);
    const found = await Promise.all(
      names.map(async (server): Promise<Live | undefined> => {
        try {
          const instance = await this.registry.instance(server, userId);
          const ready = instance.ready().then(() => true, () => false);
          const inTime = await Promise.race([ready, sleep(listWaitMs, false, { ref: false })]);
          return inTime ? { server, definition: this.registry.definitionOf(server), instance } : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return found.filter((live): live is Live => live !== undefined);
  }
}
