import { type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { currentRequestContext, type RequestContext, runInRequestContext } from '../context/request-context.js';
import type { RpcContract } from '../contracts/rpc-contract.js';
import { AppError, isWireError } from '../errors/app-error.js';
import type { ContextClient } from './context.client.js';

export interface SendOptions {
  /** This call's deadline; by default the configured RPC_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * The typed way to call another app. Every call has a deadline, and a nested call never outlives
 * the request that made it. Whatever goes wrong comes back as an AppError.
 */
export class ServiceClient implements OnApplicationShutdown {
  constructor(
    readonly service: string,
    private readonly proxy: ContextClient,
    private readonly defaultTimeoutMs: number,
  ) {}

  async send<Req, Res>(contract: RpcContract<Req, Res>, request: Req, options: SendOptions = {}): Promise<Res> {
    const parent = currentRequestContext();
    const ownDeadline = Date.now() + (options.timeoutMs ?? this.defaultTimeoutMs);
    const context: RequestContext = {
      correlationId: parent?.correlationId ?? randomUUID(),
      deadline: Math.min(ownDeadline, parent?.deadline ?? ownDeadline),
    };
    const waitMs = Math.max(0, context.deadline! - Date.now());
    try {
      return await runInRequestContext(context, () =>
        firstValueFrom(this.proxy.send<Res>(contract.pattern, request ?? {}).pipe(timeout({ first: waitMs })), {
          defaultValue: undefined as Res,
        }),
      );
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (isWireError(error)) throw AppError.fromWire(error);
      if (error instanceof TimeoutError) throw await this.proxy.explainTimeout(waitMs);
      throw AppError.unavailable(this.service, String(error));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
  }
}
