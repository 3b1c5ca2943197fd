import type { ServiceName } from './service-name.js';

/**
 * One request/response message between apps: the service that answers it, its pattern, and
 * (as types only) what goes in and what comes back. Both sides import the same declaration.
 */
export interface RpcContract<Req, Res> {
  readonly service: ServiceName;
  readonly pattern: string;
  /** Never set: carries the request and response types. */
  readonly types?: { request: Req; response: Res };
}

export function rpc<Req, Res>(service: ServiceName, pattern: string): RpcContract<Req, Res> {
  return { service, pattern };
}

/** What every service answers to its health pattern. A failing check throws service_unavailable. */
export type ServiceHealth = {
  service: ServiceName;
  checks: Record<string, 'up'>;
};

/** An empty request, for messages that take no arguments. */
export type NoArguments = Record<string, never>;
