import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../net/free-port.js';

/** One scripted answer of the fake model, for one chat-completions request. */
export type FakeReply =
  /** Streams `text` in `chunks` pieces, `delayMs` apart. */
  | { text: string; chunks?: number; delayMs?: number }
  /** Asks for these tool calls (in parallel when there are several); `arguments` is sent as written when it is a string (a malformed call). */
  | { toolCalls: { name: string; arguments: Record<string, unknown> | string }[] }
  /** Answers with this HTTP status and an OpenAI-style error body. */
  | { status: number; message?: string };

export interface FakeRequest {
  model: string;
  messages: { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
  /**
   * Set by the fake, not sent by the client: when the request arrived (`performance.now()` of
   * this process) and, once its response has ended, the milliseconds from arrival to that end.
   */
  served?: { arrivedAt: number; durationMs?: number };
}

/**
 * An OpenAI-compatible server for tests: `POST /v1/chat/completions` answers each request with the
 * next scripted reply, streamed as the real API streams it. The real provider code talks to it
 * over HTTP; nothing in the platform knows it is fake. Unscripted requests get a short text.
 */
export class FakeOpenAI {
  readonly requests: FakeRequest[] = [];
  private readonly script: FakeReply[] = [];
  private readonly routes: { matches: (request: FakeRequest) => boolean; reply: FakeReply }[] = [];
  private ids = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeOpenAI> {
    const port = await findFreePort();
    let fake: FakeOpenAI | undefined;
    const server = createServer((request, response) => void fake!.handle(request, response));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    fake = new FakeOpenAI(server, `http://127.0.0.1:${port}/v1`);
    return fake;
  }

  /** Queues replies, used in order by the next requests. */
  reply(...replies: FakeReply[]): void {
    this.script.push(...replies);
  }

  /** Answers every request that `matches` with `reply`, before the script is consulted (say, the platform's title requests). */
  route(matches: (request: FakeRequest) => boolean, reply: FakeReply): void {
    this.routes.push({ matches, reply });
  }

  /** A request without `stream: true` (say, the AI SDK's generateText) gets the whole completion as one JSON body. */
  private answerWhole(id: string, body: FakeRequest, reply: Exclude<FakeReply, { status: number }>, response: ServerResponse): void {
    const message =
      'text' in reply
        ? { role: 'assistant', content: reply.text }
        : {
            role: 'assistant',
            content: null,
            tool_calls: reply.toolCalls.map((call, index) => ({
              id: `call_${this.ids}_${index}`,
              type: 'function',
              function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
            })),
          };
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
        usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
      }),
    );
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrivedAt = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${request.method} ${request.url}` } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeRequest;
    const served: NonNullable<FakeRequest['served']> = { arrivedAt };
    body.served = served;
    response.once('finish', () => (served.durationMs = performance.now() - arrivedAt));
    this.requests.push(body);
    const reply = this.routes.find((route) => route.matches(body))?.reply ?? this.script.shift() ?? { text: 'No more scripted replies.' };
    if ('status' in reply) {
      response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: reply.message ?? `scripted ${reply.status}`, type: 'scripted', code: String(reply.status) } }));
      return;
    }
    const id = `chatcmpl-${++this.ids}`;
    if (!(body as { stream?: boolean }).stream) return this.answerWhole(id, body, reply, response);
    const send = (choice: object | null, usage?: object) =>
      response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, choices: choice ? [{ index: 0, ...choice }] : [], ...(usage ? { usage } : {}) })}\n\n`);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if ('text' in reply) {
      const count = Math.max(1, Math.min(reply.chunks ?? 3, reply.text.length));
      const size = Math.ceil(reply.text.length / count);
      for (let at = 0; at < reply.text.length; at += size) {
        send({ delta: { ...(at === 0 ? { role: 'assistant' } : {}), content: reply.text.slice(at, at + size) }, finish_reason: null });
        if (reply.delayMs) await sleep(reply.delayMs);
        // The client hung up (a cancelled turn): stop, as a real server does.
        if (response.destroyed) return;
      }
      send({ delta: {}, finish_reason: 'stop' });
    } else {
      const toolCalls = reply.toolCalls.map((call, index) => ({
        index,
        id: `call_${this.ids}_${index}`,
        type: 'function',
        function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
      }));
      send({ delta: { role: 'assistant', tool_calls: toolCalls }, finish_reason: null });
      send({ delta: {}, finish_reason: 'tool_calls' });
    }
    send(null, { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
    response.end('data: [DONE]\n\n');
  }
}
