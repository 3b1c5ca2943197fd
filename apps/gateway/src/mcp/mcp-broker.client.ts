import { Injectable } from '@nestjs/common';
import { filter, Observable } from 'rxjs';
import {
  type CallToolEvent,
  callToolIdleTimeoutMs,
  type CallToolRequest,
  InjectServiceClient,
  McpBrokerContract,
  type McpToolResult,
  ServiceClient,
  ServiceName,
} from '@dataflow/shared';

/** A tool call's outcome: its result, whether the broker's analysis cache answered, and the MCP server's time. */
export type ToolCallOutcome = Omit<Extract<CallToolEvent, { type: 'result' }>, 'type'>;

export interface CallToolOptions {
  /** Aborting it cancels the call, all the way to the MCP server (`notifications/cancelled`). */
  signal?: AbortSignal;
  onProgress?: (event: Extract<CallToolEvent, { type: 'progress' }>) => void;
}

/** The gateway's typed access to the broker; every other broker call is a plain `send`. */
@Injectable()
export class McpBrokerClient {
  constructor(@InjectServiceClient(ServiceName.McpBroker) readonly rpc: ServiceClient) {}

  /** Progress and result events, heartbeats left out. */
  events(request: CallToolRequest): Observable<Exclude<CallToolEvent, { type: 'heartbeat' }>> {
    return this.rpc
      .stream(McpBrokerContract.callTool, request, { idleTimeoutMs: callToolIdleTimeoutMs })
      .pipe(filter((event): event is Exclude<CallToolEvent, { type: 'heartbeat' }> => event.type !== 'heartbeat'));
  }

  /** Calls a tool and resolves with its result (an `isError` result included). */
  async callTool(request: CallToolRequest, options: CallToolOptions = {}): Promise<McpToolResult> {
    return (await this.call(request, options)).result;
  }

  /** Calls a tool and resolves with its result, whether the broker's analysis cache answered it, and the MCP server's time. */
  call(request: CallToolRequest, options: CallToolOptions = {}): Promise<ToolCallOutcome> {
    const events = this.events(request);
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      const subscription = events.subscribe({
        next: (event) => (event.type === 'progress' ? options.onProgress?.(event) : resolve({ result: event.result, cached: event.cached, serverMs: event.serverMs })),
        error: reject,
      });
      options.signal?.addEventListener(
        'abort',
        () => {
          subscription.unsubscribe();
          reject(options.signal!.reason);
        },
        { once: true },
      );
    });
  }
}
