import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  CallToolBody,
  McpBrokerContract,
  type McpPromptInfo,
  type McpResourceInfo,
  type McpServerDetail,
  type McpServerSummary,
  type McpToolInfo,
  type McpToolResult,
  type McpReloadReport,
} from '@dataflow/shared';
import { abortedOnDisconnect } from '../http/client-disconnect.js';
import { McpBrokerClient } from './mcp-broker.client.js';

/**
 * Until accounts exist every request acts for this one local user, whose files live in
 * `<USER_DATA_ROOT>/local`; the accounts issue replaces it with the signed-in user.
 */
export const localUserId = 'local';

@Controller('api/v1/mcp')
export class McpController {
  constructor(private readonly broker: McpBrokerClient) {}

  @Get('servers')
  listServers(): Promise<McpServerSummary[]> {
    return this.broker.rpc.send(McpBrokerContract.listServers, { userId: localUserId });
  }

  @Get('servers/:name')
  getServer(@Param('name') name: string): Promise<McpServerDetail> {
    return this.broker.rpc.send(McpBrokerContract.getServer, { name, userId: localUserId });
  }

  @Post('servers/:name/restart')
  @HttpCode(200)
  restartServer(@Param('name') name: string): Promise<McpServerSummary> {
    return this.broker.rpc.send(McpBrokerContract.restartServer, { name, userId: localUserId }, { timeoutMs: 60_000 });
  }

  @Post('servers/:name/enable')
  @HttpCode(200)
  enableServer(@Param('name') name: string): Promise<McpServerSummary> {
    return this.broker.rpc.send(McpBrokerContract.enableServer, { name });
  }

  @Post('servers/:name/disable')
  @HttpCode(200)
  disableServer(@Param('name') name: string): Promise<McpServerSummary> {
    return this.broker.rpc.send(McpBrokerContract.disableServer, { name });
  }

  @Get('tools')
  listTools(): Promise<McpToolInfo[]> {
    return this.broker.rpc.send(McpBrokerContract.listTools, { userId: localUserId });
  }

  /**
   * Calls a tool. With `Accept: text/event-stream` the answer is a stream of `progress` events
   * and one `result` event; otherwise it is the result as JSON. A tool's own failure is a 200
   * with `isError: true`; a client that disconnects cancels the call.
   */
  @Post('tools/:qualifiedName/call')
  @HttpCode(200)
  async callTool(
    @Param('qualifiedName') qualifiedName: string,
    @Body() body: CallToolBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<McpToolResult | undefined> {
    const abort = abortedOnDisconnect(response);
    const call = { qualifiedName, arguments: body.arguments, timeoutMs: body.timeoutMs, userId: localUserId };
    if (request.accepts(['application/json', 'text/event-stream']) !== 'text/event-stream') {
      return this.broker.callTool(call, { signal: abort.signal });
    }
    let started = false;
    const send = (event: string, data: unknown) => {
      if (!started) {
        response.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
        response.flushHeaders();
        started = true;
      }
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    try {
      const result = await this.broker.callTool(call, { signal: abort.signal, onProgress: ({ type: _, ...progress }) => send('progress', progress) });
      send('result', result);
    } catch (error) {
      // Before the first event the error is an ordinary problem+json response.
      if (!started) throw error;
      send('error', { message: (error as Error).message, code: (error as { code?: string }).code });
    }
    response.end();
    return undefined;
  }

  @Get('resources')
  listResources(): Promise<McpResourceInfo[]> {
    return this.broker.rpc.send(McpBrokerContract.listResources, { userId: localUserId });
  }

  @Get('prompts')
  listPrompts(): Promise<McpPromptInfo[]> {
    return this.broker.rpc.send(McpBrokerContract.listPrompts, { userId: localUserId });
  }
}

@Controller('api/v1/admin/mcp')
export class McpAdminController {
  constructor(private readonly broker: McpBrokerClient) {}

  /** Re-reads MCP_CONFIG; servers whose entry did not change keep their connections. */
  @Post('reload')
  @HttpCode(200)
  reload(): Promise<McpReloadReport> {
    return this.broker.rpc.send(McpBrokerContract.reload, {});
  }
}
