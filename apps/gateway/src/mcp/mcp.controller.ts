import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type AuditAction,
  AppError,
  CallToolBody,
  ErrorCode,
  McpBrokerContract,
  type McpPromptInfo,
  type McpResourceInfo,
  type McpServerDetail,
  type McpServerSummary,
  type McpToolInfo,
  type McpToolResult,
  type McpReloadReport,
} from '@dataflow/shared';
import { AccountsClient } from '../auth/accounts.client.js';
import { AdminOnly, CurrentCaller, RequiresScope } from '../auth/access.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { abortedOnDisconnect } from '../http/client-disconnect.js';
import { McpBrokerClient } from './mcp-broker.client.js';

/** Server actions are audited: who did what to which server. */
async function audited<T>(accounts: AccountsClient, caller: Caller, action: AuditAction, target: string, act: () => Promise<T>): Promise<T> {
  const outcome = await act();
  await accounts.audit({ action, actorId: caller.userId, target });
  return outcome;
}

/** The MCP servers, tools, resources and prompts the caller can use; per-user servers run as the caller. */
@Controller('api/v1/mcp')
@RequiresScope('mcp:call')
export class McpController {
  constructor(
    private readonly broker: McpBrokerClient,
    private readonly accounts: AccountsClient,
  ) {}

  @Get('servers')
  listServers(@CurrentCaller() caller: Caller): Promise<McpServerSummary[]> {
    return this.broker.rpc.send(McpBrokerContract.listServers, { userId: caller.userId });
  }

  @Get('servers/:name')
  getServer(@CurrentCaller() caller: Caller, @Param('name') name: string): Promise<McpServerDetail> {
    return this.broker.rpc.send(McpBrokerContract.getServer, { name, userId: caller.userId });
  }

  /** A member restarts their own instance of a per-user server; a shared server, which every user relies on, only an admin. */
  @Post('servers/:name/restart')
  @HttpCode(200)
  async restartServer(@CurrentCaller() caller: Caller, @Param('name') name: string): Promise<McpServerSummary> {
    if (caller.role !== 'admin') {
      const server = await this.broker.rpc.send(McpBrokerContract.getServer, { name, userId: caller.userId });
      if (server.scope === 'shared') throw new AppError(ErrorCode.Forbidden, `${name} is shared by every user: only an admin can restart it`);
    }
    return audited(this.accounts, caller, 'mcp.server_restarted', `mcp-server:${name}`, () =>
      this.broker.rpc.send(McpBrokerContract.restartServer, { name, userId: caller.userId }, { timeoutMs: 60_000 }),
    );
  }

  @Post('servers/:name/enable')
  @HttpCode(200)
  @AdminOnly()
  enableServer(@CurrentCaller() caller: Caller, @Param('name') name: string): Promise<McpServerSummary> {
    return audited(this.accounts, caller, 'mcp.server_enabled', `mcp-server:${name}`, () => this.broker.rpc.send(McpBrokerContract.enableServer, { name }));
  }

  @Post('servers/:name/disable')
  @HttpCode(200)
  @AdminOnly()
  disableServer(@CurrentCaller() caller: Caller, @Param('name') name: string): Promise<McpServerSummary> {
    return audited(this.accounts, caller, 'mcp.server_disabled', `mcp-server:${name}`, () => this.broker.rpc.send(McpBrokerContract.disableServer, { name }));
  }

  @Get('tools')
  listTools(@CurrentCaller() caller: Caller): Promise<McpToolInfo[]> {
    return this.broker.rpc.send(McpBrokerContract.listTools, { userId: caller.userId });
  }

  /**
   * Calls a tool. With `Accept: text/event-stream` the answer is a stream of `progress` events
   * and one `result` event; otherwise it is the result as JSON. A tool's own failure is a 200
   * with `isError: true`; a client that disconnects cancels the call.
   */
  @Post('tools/:qualifiedName/call')
  @HttpCode(200)
  async callTool(
    @CurrentCaller() caller: Caller,
    @Param('qualifiedName') qualifiedName: string,
    @Body() body: CallToolBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<McpToolResult | undefined> {
    const abort = abortedOnDisconnect(response);
    const call = { qualifiedName, arguments: body.arguments, timeoutMs: body.timeoutMs, userId: caller.userId };
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
  listResources(@CurrentCaller() caller: Caller): Promise<McpResourceInfo[]> {
    return this.broker.rpc.send(McpBrokerContract.listResources, { userId: caller.userId });
  }

  @Get('prompts')
  listPrompts(@CurrentCaller() caller: Caller): Promise<McpPromptInfo[]> {
    return this.broker.rpc.send(McpBrokerContract.listPrompts, { userId: caller.userId });
  }
}

@Controller('api/v1/admin/mcp')
@AdminOnly()
export class McpAdminController {
  constructor(
    private readonly broker: McpBrokerClient,
    private readonly accounts: AccountsClient,
  ) {}

  /** Re-reads MCP_CONFIG; servers whose entry did not change keep their connections. */
  @Post('reload')
  @HttpCode(200)
  reload(@CurrentCaller() caller: Caller): Promise<McpReloadReport> {
    return audited(this.accounts, caller, 'mcp.config_reloaded', 'mcp-config', () => this.broker.rpc.send(McpBrokerContract.reload, {}));
  }
}
