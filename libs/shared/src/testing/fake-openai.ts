import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
}

/**
 * An OpenAI-compatible server for tests: `POST /v1/chat/completions` answers each request with the
 * next scripted reply, streamed as the real API streams it. The real provider code talks to it
 * over HTTP; nothing in the platform knows it is fake. Unscripted requests get a short text.
 */
export class FakeOpenAI {
  readonly requests: FakeRequest[] = [];
  private readonly script: FakeReply[] = [];
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

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${request.method} ${request.url}` } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeRequest;
    this.requests.push(body);
    const reply = this.script.shift() ?? { text: 'No more scripted replies.' };
    if ('status' in reply) {
      response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: reply.message ?? `scripted ${reply.status}`, type: 'scripted', code: String(reply.status) } }));
      return;
    }
    const id = `chatcmpl-${++this.ids}`;
    const send = (choice: object | null, usage?: object) =>
      response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, choices: choice ? [{ index: 0, ...choice }] : [], ...(usage ? { usage } : {}) })}\n\n`);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if ('text' in reply) {
      const count = Math.max(1, Math.min(reply.chunks ?? 3, reply.text.length));
      const size = Math.ceil(reply.text.length / count);
      for (let at = 0; at < reply.text.length; at += size) {
        send({ delta: { ...(at === 0 ? { role: 'assistant' } : {}), content: reply.text.slice(at, at + size) }, finish_reason: null });
        if (reply.delayMs) await sleep(reply.delayMs);
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
