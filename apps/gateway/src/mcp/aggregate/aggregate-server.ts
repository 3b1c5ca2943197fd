import type { Logger } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  type CallToolResult,
  CallToolRequestSchema,
  type GetPromptResult,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type Prompt,
  type ReadResourceResult,
  ReadResourceRequestSchema,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { McpBrokerContract, type McpPromptInfo, type McpResourceInfo, type McpToolInfo } from '@dataflow/shared';
import type { McpBrokerClient } from '../mcp-broker.client.js';
import { type ReportUnexpected, toMcpError, toolCallFailure } from './broker-errors.js';

export const aggregateServerInfo = { name: 'mcp-dataflow-chat', title: 'MCP DataFlow Chat', version: '0.1.0' };

const instructions =
  'The tools, resources and prompts of every MCP server this platform runs. Tool and prompt names are <server>__<name>, after the server that provides them.';

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toTool(info: McpToolInfo): Tool {
  return withoutUndefined({
    name: info.qualifiedName,
    title: info.title,
    description: info.description,
    inputSchema: info.inputSchema as Tool['inputSchema'],
    outputSchema: info.outputSchema as Tool['outputSchema'],
    annotations: info.annotations as Tool['annotations'],
  });
}

function toResource(info: McpResourceInfo): Resource {
  return withoutUndefined({ uri: info.uri, name: info.name, title: info.title, description: info.description, mimeType: info.mimeType });
}

function toPrompt(info: McpPromptInfo): Prompt {
  return withoutUndefined({ name: info.qualifiedName, title: info.title, description: info.description, arguments: info.arguments });
}

/**
 * One session's MCP server: the broker's catalog, as `userId` sees it, presented as a single
 * server. Every request goes to the broker; tool progress comes back as progress notifications
 * (when the client asked for them), and a client's `notifications/cancelled` cancels the call.
 */
export function createAggregateServer(broker: McpBrokerClient, userId: string, logger: Logger): Server {
  const server = new Server(aggregateServerInfo, {
    capabilities: { tools: {}, resources: {}, prompts: {}, logging: {} },
    instructions,
  });
  const reportUnexpected: ReportUnexpected = (errorId, error) => logger.error({ errorId, err: error }, 'unexpected error answering an MCP request');

  async function ask<T>(subject: 'resource' | 'prompt' | 'list', request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toMcpError(error, subject, reportUnexpected);
    }
  }

  server.setRequestHandler(ListToolsRequestSchema, () =>
    ask('list', async () => ({ tools: (await broker.rpc.send(McpBrokerContract.listTools, { userId })).map(toTool) })),
  );

  server.setRequestHandler(CallToolRequestSchema, async ({ params }, extra): Promise<CallToolResult> => {
    const progressToken = params._meta?.progressToken;
    const onProgress =
      progressToken === undefined
        ? undefined
        : ({ progress, total, message }: { progress: number; total?: number; message?: string }) =>
            void extra
              .sendNotification({ method: 'notifications/progress', params: withoutUndefined({ progressToken, progress, total, message }) })
              .catch((error: unknown) => logger.debug({ err: error }, 'could not pass a progress notification on'));
    try {
      const call = { qualifiedName: params.name, arguments: params.arguments, userId };
      return (await broker.callTool(call, { signal: extra.signal, onProgress })) as CallToolResult;
    } catch (error) {
      if (extra.signal.aborted) {
        // The client cancelled (or its session closed): the SDK answers nothing, as the spec says.
        logger.debug({ tool: params.name }, 'tool call cancelled by the MCP client');
        throw error;
      }
      return toolCallFailure(error, reportUnexpected);
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, () =>
    ask('list', async () => ({ resources: (await broker.rpc.send(McpBrokerContract.listResources, { userId })).map(toResource) })),
  );

  // The broker's catalog has no resource templates yet, so there are none to offer.
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }));

  server.setRequestHandler(ReadResourceRequestSchema, ({ params }) =>
    ask('resource', async () => (await broker.rpc.send(McpBrokerContract.readResource, { uri: params.uri, userId })) as ReadResourceResult),
  );

  server.setRequestHandler(ListPromptsRequestSchema, () =>
    ask('list', async () => ({ prompts: (await broker.rpc.send(McpBrokerContract.listPrompts, { userId })).map(toPrompt) })),
  );

  server.setRequestHandler(GetPromptRequestSchema, ({ params }) =>
    ask(
      'prompt',
      async () => (await broker.rpc.send(McpBrokerContract.getPrompt, { qualifiedName: params.name, arguments: params.arguments, userId })) as GetPromptResult,
    ),
  );

  return server;
}
