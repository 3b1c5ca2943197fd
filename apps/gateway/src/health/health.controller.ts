import { Controller, Get, HttpException, Inject, Res } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import {
  ConversationsContract,
  InjectServiceClient,
  McpBrokerContract,
  probeTimeoutMs,
  ServiceClient,
  ServiceName,
  type Transport,
  TRANSPORT,
  transportChecks,
} from '@dataflow/shared';
import { Public } from '../auth/access.guard.js';

/**
 * Liveness and readiness, in Terminus' JSON (what probes and the web app read). Ready needs the
 * conversations service (and through it Postgres), the MCP broker, and Redis when it is used.
 */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectServiceClient(ServiceName.Conversations) private readonly conversations: ServiceClient,
    @InjectServiceClient(ServiceName.McpBroker) private readonly broker: ServiceClient,
    @Inject(TRANSPORT) private readonly transport: Transport,
  ) {}

  @Get('live')
  live(@Res({ passthrough: true }) response: Response) {
    return this.report(response, []);
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) response: Response) {
    const options = { timeoutMs: probeTimeoutMs };
    return this.report(response, [
      () => this.indicators.check(ServiceName.Conversations).attempt(() => this.conversations.send(ConversationsContract.health, {}, options)),
      () => this.indicators.check(ServiceName.McpBroker).attempt(() => this.broker.send(McpBrokerContract.health, {}, options)),
      ...transportChecks(this.indicators, this.transport, probeTimeoutMs),
    ]);
  }

  private async report(response: Response, checks: Parameters<HealthCheckService['check']>[0]) {
    response.setHeader('cache-control', 'no-store');
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      response.status(error.getStatus());
      return error.getResponse();
    }
  }
}
