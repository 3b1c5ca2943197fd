import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ChurningMap, renewMcpSdkMaps, renewMcpSdkMapsEvery } from '@dataflow/shared';
import { McpBrokerClient } from '../mcp-broker.client.js';
import { DirectToolCalls } from './direct-tool-calls.js';

export interface McpSessionsOptions {
  /** A session with no request for this long (and none in flight; the GET stream does not count) is closed. */
  idleMs: number;
  /** The most sessions open at once; opening one more closes the least recently used. */
  limit: number;
}

export const MCP_SESSIONS_OPTIONS = Symbol('McpSessionsOptions');

type SessionEnd = 'idle' | 'limit' | 'client' | 'shutdown';

export interface McpSession {
  id: string;
  userId: string;
  server: Server;
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
  /** POST requests of this session whose response is still open (a tool call that runs, say). */
  inFlight: number;
  /** Requests this session has served through the SDK. */
  sdkRequests: number;
}

/** How often the reaper looks: often enough that a session outlives its idle time by a quarter at most. */
function sweepEveryMs(idleMs: number): number {
  return Math.min(Math.max(Math.floor(idleMs / 4), 250), 30_000);
}

/**
 * The open MCP sessions of `/mcp`, each a server and its Streamable HTTP transport, kept in this
 * gateway's memory. Sessions end when the client sends DELETE, when they sit idle too long, when
 * the limit makes room for a new one, or when the gateway stops; none is left behind.
 */
@Injectable()
export class McpSessions implements OnModuleDestroy {
  private readonly logger = new Logger('McpSessions');
  private readonly sessions = new ChurningMap<string, McpSession>();
  private readonly reaper: NodeJS.Timeout;
  private readonly direct: DirectToolCalls;

  constructor(@Inject(MCP_SESSIONS_OPTIONS) private readonly options: McpSessionsOptions, broker: McpBrokerClient) {
    this.direct = new DirectToolCalls(broker, (errorId, error) => this.logger.error({ errorId, err: error }, 'unexpected error answering an MCP request'), this.logger);
    this.reaper = setInterval(() => this.reap(), sweepEveryMs(options.idleMs));
    this.reaper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Serves a request that starts a session: `server` answers the client's initialize, and the
   * session joins the registry once the transport has given it an id.
   */
  async open(userId: string, server: Server, request: IncomingMessage, response: ServerResponse, body: unknown): Promise<void> {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => this.add({ id, userId, server, transport, lastSeen: Date.now(), inFlight: 0, sdkRequests: 0 }),
    });
    // The client's DELETE, or a close from here (then the session is gone from the map already).
    server.onclose = () => this.remove(transport.sessionId === undefined ? undefined : this.sessions.get(transport.sessionId), 'client');
    await server.connect(transport);
    try {
      await transport.handleRequest(request, response, body);
    } finally {
      // An initialize that failed leaves a transport without a session: nothing may keep it.
      if (transport.sessionId === undefined) await server.close();
    }
  }

  /** The session with this id, if it is open and belongs to this user. */
  find(id: string, userId: string): McpSession | undefined {
    const session = this.sessions.get(id);
    return session?.userId === userId ? session : undefined;
  }

  /**
   * Serves a request of an open session. A POST (or DELETE) is activity, and the session counts as
   * busy until its response is over; the GET stream is the server's channel to a client that may
   * sit idle, so holding it open keeps no session alive.
   */
  async serve(session: McpSession, request: IncomingMessage, response: ServerResponse, body: unknown): Promise<void> {
    if (request.method !== 'GET') {
      session.inFlight++;
      session.lastSeen = Date.now();
      response.once('close', () => {
        session.inFlight--;
        session.lastSeen = Date.now();
      });
    }
    if (await this.direct.handle(session.id, session.userId, request as Request, response as Response)) return;
    if (++session.sdkRequests % renewMcpSdkMapsEvery === 0) renewMcpSdkMaps(session.server, session.transport);
    await session.transport.handleRequest(request, response, body);
  }

  /** Closes the sessions idle for longer than the idle time. */
  reap(now = Date.now()): void {
    for (const session of this.sessions.values()) {
      if (session.inFlight === 0 && now - session.lastSeen > this.options.idleMs) void this.close(session, 'idle');
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.sessions.values()].map((session) => this.close(session, 'shutdown')));
  }

  private add(session: McpSession): void {
    while (this.sessions.size >= this.options.limit) {
      const victim = this.leastRecentlyUsed();
      if (!victim) break;
      void this.close(victim, 'limit');
    }
    this.sessions.set(session.id, session);
    this.logger.log({ session: shortId(session.id), user: session.userId, sessions: this.sessions.size }, 'MCP session opened');
  }

  /** Idle sessions before busy ones; among them, the one unused the longest. */
  private leastRecentlyUsed(): McpSession | undefined {
    let victim: McpSession | undefined;
    for (const session of this.sessions.values()) {
      const busy = session.inFlight > 0;
      const victimBusy = (victim?.inFlight ?? 0) > 0;
      if (!victim || (victimBusy && !busy) || (busy === victimBusy && session.lastSeen < victim.lastSeen)) victim = session;
    }
    return victim;
  }

  /** Takes the session out of the registry at once, then closes it: its streams end and calls in flight are cancelled. */
  private async close(session: McpSession, end: SessionEnd): Promise<void> {
    this.remove(session, end);
    await session.server.close().catch((error: unknown) => this.logger.warn({ err: error, session: shortId(session.id) }, 'could not close an MCP session cleanly'));
  }

  private remove(session: McpSession | undefined, end: SessionEnd): void {
    if (!session || this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.direct.endSession(session.id);
    this.logger.log({ session: shortId(session.id), end, sessions: this.sessions.size }, 'MCP session closed');
  }
}

/** Enough of a session id to tell sessions apart in the logs, not enough to use one. */
function shortId(id: string): string {
  return id.slice(0, 8);
}
