/**
 * The AI SDK on its own: the bench's turn (the question, one `data__query` call, the answer in three
 * chunks) made with nothing of the platform around it, by the model the gateway configures from
 * OPENAI_BASE_URL and OPENAI_MODEL (the gateway's own `Models`), with a tool that answers at once.
 * bench/turns runs it in a process of its own against the bench's fake model, so that the CPU it
 * reports is the SDK's client side alone: no HTTP server, no database, no Redis, no MCP.
 *
 *   node dist/bench/turns/sdk-alone.js <fake base URL> <turns> <marker>
 *
 * Every question holds `marker`, for the fake to answer it with the tool call. Prints one line of
 * JSON: `{ turns, p50Ms, p99Ms, cpuMsPerTurn }`.
 */
import { performance } from 'node:perf_hooks';
import { dynamicTool, jsonSchema, stepCountIs, streamText } from 'ai';
import { Models } from '../../apps/gateway/src/chat/models.js';
import { summarize } from '../lib/measure.js';

const [baseUrl, turnsArgument, marker] = process.argv.slice(2);
const turns = Number(turnsArgument);
if (!baseUrl || !marker || !Number.isInteger(turns) || turns < 1) {
  console.error('Usage: node dist/bench/turns/sdk-alone.js <fake base URL> <turns> <marker>');
  process.exit(2);
}

const model = new Models({ OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: 'fake-model' }, { OPENAI_API_KEY: 'sk-bench' }).resolve(undefined)!.language;
/** What the data server answers the bench's query with, near enough: a short table as text. */
const table = ['| region | orders | total | avg_qty |', '|---|---|---|---|', ...['americas-east', 'americas-west', 'asia-pacific', 'europe-north', 'europe-west'].map((region) => `| ${region} | 2000 | 99871.23 | 10.5 |`)].join('\n');
const tools = {
  data__query: dynamicTool({
    description: "Runs one read-only SQL query over the user's data files.",
    inputSchema: jsonSchema({ type: 'object', properties: { sql: { type: 'string' } }, required: ['sql'], additionalProperties: false }),
    execute: async () => table,
  }),
};

async function turn(n: number): Promise<number> {
  const started = performance.now();
  const result = streamText({ model, system: "The user's files: sales.csv (text/csv).", messages: [{ role: 'user', content: `What is the total amount per region? ${marker} ${n}` }], tools, stopWhen: stepCountIs(8), maxRetries: 1 });
  let text = '';
  for await (const part of result.fullStream) {
    if (part.type === 'error') throw part.error instanceof Error ? part.error : new Error(String(part.error));
    if (part.type === 'text-delta') text += part.text;
  }
  if (!text) throw new Error('the turn ended without an answer');
  return performance.now() - started;
}

// Warm: the SDK's code is compiled before it is measured.
for (let n = 0; n < 200; n++) await turn(n);
const before = process.cpuUsage();
const samples: number[] = [];
for (let n = 0; n < turns; n++) samples.push(await turn(n));
const cpu = process.cpuUsage(before);
const summary = summarize(samples, 0);
console.log(JSON.stringify({ turns, p50Ms: summary.p50, p99Ms: summary.p99, cpuMsPerTurn: (cpu.user + cpu.system) / 1_000 / turns }));
