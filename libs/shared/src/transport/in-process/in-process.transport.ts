import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { ContextClient } from '../context.client.js';
import { ContextServer } from '../context.server.js';
import { type ReplyEnvelope, type RequestEnvelope, throughJson } from '../envelope.js';

/** The services of one process, by name: what links the apps when the platform runs standalone. */
export class InProcessBus {
  private readonly servers = new Map<string, InProcessServer>();
  private readonly clients = new Map<string, InProcessClient>();

  register(server: InProcessServer): void {
    if (this.servers.has(server.service)) throw new Error(`The ${server.service} service is already running in this process`);
    this.servers.set(server.service, server);
  }

  unregister(server: InProcessServer): void {
    if (this.servers.get(server.service) === server) this.servers.delete(server.service);
  }

  serverFor(service: string): InProcessServer | undefined {
    return this.servers.get(service);
  }

  addClient(address: string, client: InProcessClient): void {
    this.clients.set(address, client);
  }

  /** Replies travel like requests: through JSON, on a later tick. */
  deliverReply(address: string, reply: ReplyEnvelope): void {
    const copy = throughJson(reply);
    setImmediate(() => this.clients.get(address)?.receive(copy));
  }
}

export class InProcessServer extends ContextServer {
  constructor(private readonly bus: InProcessBus, service: string) {
    super(service);
  }

  listen(callback: () => void): void {
    this.bus.register(this);
    callback();
  }

  close(): void {
    this.bus.unregister(this);
  }

  accept(envelope: RequestEnvelope): void {
    const replyTo = envelope.replyTo;
    void this.dispatch(envelope, (body) => {
      if (replyTo) this.bus.deliverReply(replyTo, { id: envelope.id, ...body });
    }).catch((error: unknown) => this.logger.error({ err: error }, 'a request failed outside its handler'));
  }
}

export class InProcessClient extends ContextClient {
  protected readonly replyAddress = `in-process-client-${randomUUID()}`;

  constructor(private readonly bus: InProcessBus, service: string) {
    super(service);
    bus.addClient(this.replyAddress, this);
  }

  async connect(): Promise<void> {}

  close(): void {}

  receive(reply: ReplyEnvelope): void {
    this.route(reply);
  }

  override async explainTimeout(timeoutMs: number): Promise<AppError> {
    return this.bus.serverFor(this.service)
      ? AppError.timeout(this.service, timeoutMs)
      : AppError.unavailable(this.service, 'it is not running');
  }

  protected cancel(id: string): void {
    const server = this.bus.serverFor(this.service);
    setImmediate(() => server?.cancel(id));
  }

  protected async deliver(envelope: RequestEnvelope): Promise<void> {
    const server = this.bus.serverFor(this.service);
    if (!server) throw AppError.unavailable(this.service, 'it is not running');
    const copy = throughJson(envelope);
    setImmediate(() => server.accept(copy));
  }
}
