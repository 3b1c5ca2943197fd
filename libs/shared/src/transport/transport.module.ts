import { type DynamicModule, Inject, Module } from '@nestjs/common';
import type { ServiceName } from '../contracts/service-name.js';
import { ServiceClient } from './service-client.js';
import type { Transport } from './transport.js';

export const TRANSPORT = Symbol('Transport');

const clientTokens = new Map<ServiceName, symbol>();

export function serviceClientToken(service: ServiceName): symbol {
  let token = clientTokens.get(service);
  if (!token) clientTokens.set(service, (token = Symbol(`ServiceClient:${service}`)));
  return token;
}

/** Injects the typed client of another app: `@InjectServiceClient(ServiceName.Conversations)`. */
export const InjectServiceClient = (service: ServiceName) => Inject(serviceClientToken(service));

export interface TransportModuleOptions {
  transport: Transport;
  /** The apps this one calls. */
  clients?: ServiceName[];
  timeoutMs: number;
}

/** Gives an app the transport it was started with, and a ServiceClient for each app it calls. */
@Module({})
export class TransportModule {
  static forRoot({ transport, clients = [], timeoutMs }: TransportModuleOptions): DynamicModule {
    const clientProviders = clients.map((service) => ({
      provide: serviceClientToken(service),
      useFactory: () => new ServiceClient(service, transport.createClient(service), timeoutMs),
    }));
    return {
      module: TransportModule,
      global: true,
      providers: [{ provide: TRANSPORT, useValue: transport }, ...clientProviders],
      exports: [TRANSPORT, ...clientProviders.map((p) => p.provide)],
    };
  }
}
