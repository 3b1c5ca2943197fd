/**
 * The conversations store on Postgres, measured through the real conversations service (its
 * validation pipe, handlers, repositories and TypeORM pool), on a seeded database of 1k users,
 * 100k conversations and 1M messages:
 *   1. list a user's 50 most recently active conversations;
 *   2. open a conversation: the conversation, then its first 50 messages;
 *   3. append a message;
 *   4. full-text search over a user's conversations (titles and message text).
 * Beside them, in the same run: the floor (the service's health call: the same path and a
 * `SELECT 1`), and for appending, rewriting the whole chat as one jsonb document per message, as
 * Open WebUI stores a chat.
 *
 *   npm run bench:conversations
 *
 * It makes a database of its own (`dfc_bench_<pid>`) on the Postgres of the tests, applies the
 * migrations, seeds it with SQL, runs the service in this process (in-process transport), and
 * drops the database at the end (also on Ctrl-C). Environment:
 *   BENCH_DATABASE_URL                a database on the Postgres to use, for CREATE/DROP DATABASE
 *                                     (default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_USERS                       users (default 1000)
 *   BENCH_CONVERSATIONS_PER_USER      conversations per user (default 100)
 *   BENCH_MESSAGES_PER_CONVERSATION   messages per conversation (default 10)
 *   BENCH_CHAT_DOCUMENTS              chats of the whole-document baseline (default 1000)
 *   BENCH_CHAT_MESSAGES               messages per chat of that baseline (default 200)
 *   BENCH_SEQUENTIAL                  sequential calls per row (default 2000; at most 10 s)
 *   BENCH_LOAD_SECONDS                time bound of the loaded run of each row (default 5)
 *   BENCH_IN_FLIGHT                   calls in flight in the loaded run (default 8)
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  ConversationsContract,
  ConversationsEnv,
  createServiceApp,
  InProcessTransport,
  loadConfig,
  MessagesContract,
  ServiceClient,
  ServiceName,
} from '@dataflow/shared';
import { ConversationsServiceModule } from '../../apps/conversations/src/conversations-service.module.js';
import { runMigrations } from '../../apps/conversations/src/database/data-source.js';
import { cleanupOnEnd } from '../lib/cleanup.js';
import { type Call, type Latencies, loaded, sequential, type Throughput } from '../lib/measure.js';
import { printMarkdownTable } from '../lib/report.js';
import { runBench } from '../lib/run.js';

// ---------------------------------------------------------------------------------------------
// Settings.

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  database: `dfc_bench_${process.pid}`,
  users: positiveInt('BENCH_USERS', 1_000),
  conversationsPerUser: positiveInt('BENCH_CONVERSATIONS_PER_USER', 100),
  messagesPerConversation: positiveInt('BENCH_MESSAGES_PER_CONVERSATION', 10),
  chatDocuments: positiveInt('BENCH_CHAT_DOCUMENTS', 1_000),
  chatMessages: positiveInt('BENCH_CHAT_MESSAGES', 200),
  /** Generated words of the message text, beside the analytics words below. */
  vocabulary: 3_000,
  /** Warm-up per row: rounds of this many sequential calls, then as many in flight, for at least warmupMinMs. */
  warmup: 100,
  warmupMinMs: 2_000,
  sequential: positiveInt('BENCH_SEQUENTIAL', 2_000),
  sequentialMaxMs: 10_000,
  loadCalls: 1_000_000,
  loadMaxMs: positiveInt('BENCH_LOAD_SECONDS', 5) * 1_000,
  inFlight: positiveInt('BENCH_IN_FLIGHT', 8),
  callTimeoutMs: 10_000,
  /** The whole run, after which it gives up and drops its database. */
  watchdogMs: 30 * 60_000,
};

/** From the issue: p95 of one call at a time. */
const targets = { listMs: 10, openMs: 10, appendMs: 5, searchMs: 50 };

/** Real words of the questions people ask of their data, so that searches for them find much. */
const analyticsWords = [
  'revenue', 'churn', 'cohort', 'region', 'warehouse', 'forecast', 'margin', 'quarter', 'retention', 'funnel',
  'conversion', 'segment', 'customer', 'inventory', 'pipeline', 'dashboard', 'metric', 'budget', 'invoice', 'shipment',
  'supplier', 'growth', 'subscription', 'anomaly', 'campaign', 'order', 'product', 'sales', 'trend', 'median',
];

/** Of the words of a message, the share drawn from the analytics words; the rest are generated words, the first ones far more often. */
const analyticsShare = 0.15;

// ---------------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32), so that every run asks for the same things.

type Random = () => number;

function prng(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)]!;

/** Pronounceable made-up words ("trisavo"), unique; Postgres later drops any that English search ignores. */
function generatedWords(count: number, random: Random): string[] {
  const onsets = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'st', 'tr', 'pl', 'gr', 'kr', 'sk', 'dr'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'];
  const words = new Set<string>();
  while (words.size < count) {
    const syllables = 2 + Math.floor(random() * 2);
    let word = '';
    for (let i = 0; i < syllables; i++) word += pick(onsets, random) + pick(vowels, random);
    if (!analyticsWords.includes(word)) words.add(word);
  }
  return [...words];
}

interface Vocabulary {
  analytics: string[];
  generated: string[];
}

/** About 20 words, drawn as the seeded messages' are. */
function sentence(vocabulary: Vocabulary, random: Random): string {
  const length = 14 + Math.floor(random() * 13);
  return Array.from({ length }, () =>
    random() < analyticsShare ? pick(vocabulary.analytics, random) : vocabulary.generated[Math.floor(random() ** 2 * vocabulary.generated.length)]!,
  ).join(' ');
}

// ---------------------------------------------------------------------------------------------
// The database: made, migrated and seeded here, dropped at the end.

function urlOf(database: string): string {
  const url = new URL(settings.adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: settings.adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<void> {
  await withAdmin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${settings.database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${settings.database}`);
  });
}

function dropDatabase(): Promise<void> {
  return withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${settings.database} WITH (FORCE)`)).then(() => undefined);
}

interface Seeded {
  vocabulary: Vocabulary;
  userIds: string[];
  /** Every conversation with its owner, oldest first. */
  conversations: { id: string; ownerId: string }[];
  steps: [string, number][];
  sizes: string;
}

async function timedStep(steps: [string, number][], label: string, work: () => Promise<unknown>): Promise<void> {
  const begin = performance.now();
  await work();
  steps.push([label, performance.now() - begin]);
}

/**
 * Users, conversations and messages, made by Postgres from generate_series: the text from a
 * words table joined to random word numbers (subscripting a text[] per word was 20 times slower).
 * The secondary indexes are dropped for the bulk insert and built again after it, rather than
 * kept up row by row; then VACUUM ANALYZE, as autovacuum would have run on a store that grew
 * over a year.
 */
async function seed(db: pg.Client, vocabulary: Vocabulary): Promise<Seeded> {
  const { users, conversationsPerUser, messagesPerConversation, chatDocuments, chatMessages } = settings;
  const conversations = users * conversationsPerUser;
  const messages = conversations * messagesPerConversation;
  const steps: [string, number][] = [];
  await db.query(`SET work_mem = '256MB'`);
  await db.query(`SET maintenance_work_mem = '512MB'`);
  await db.query(`SELECT setseed(0.42)`);

  // Word numbers ($1 analytics words, then $2 generated ones, the first of them the most frequent).
  const analyticsWord = `floor(random() * $1::int)::int`;
  const generatedWord = `$1::int + floor(power(random(), 2) * $2::int)::int`;
  await timedStep(steps, 'words', async () => {
    await db.query(`CREATE UNLOGGED TABLE bench_words (id int PRIMARY KEY, word text NOT NULL)`);
    // Words that English search drops (stop words such as "some" or "more") would never be found.
    await db.query(
      `INSERT INTO bench_words (id, word)
       SELECT row_number() OVER (ORDER BY kind, n) - 1, word
       FROM (SELECT 1 AS kind, n, word FROM unnest($1::text[]) WITH ORDINALITY a(word, n)
             UNION ALL SELECT 2, n, word FROM unnest($2::text[]) WITH ORDINALITY g(word, n)) w
       WHERE to_tsvector('english', word) <> ''::tsvector`,
      [vocabulary.analytics, vocabulary.generated],
    );
    await db.query(`ANALYZE bench_words`);
  });
  const words = (await db.query<{ word: string }>(`SELECT word FROM bench_words ORDER BY id`)).rows.map((row) => row.word);
  const known = new Set(words);
  const kept: Vocabulary = { analytics: vocabulary.analytics.filter((w) => known.has(w)), generated: vocabulary.generated.filter((w) => known.has(w)) };
  const vocabularySizes = [kept.analytics.length, kept.generated.length];

  const indexes = (
    await db.query<{ name: string; definition: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
       WHERE i.indrelid IN ('conversations'::regclass, 'messages'::regclass) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    )
  ).rows;
  for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);

  await timedStep(steps, 'users and conversations', async () => {
    await db.query(`CREATE UNLOGGED TABLE bench_users AS SELECT n, gen_random_uuid() AS id FROM generate_series(1, $1::int) n`, [users]);
    await db.query(
      `INSERT INTO users (id, email, name, password_hash, role)
       SELECT id, 'user' || n || '@bench.example', 'Bench user ' || n, 'not a hash: nobody signs in', 'member' FROM bench_users ORDER BY n`,
    );
    // Titles of two to four words; most begin with an analytics word.
    await db.query(
      `CREATE UNLOGGED TABLE bench_titles AS
       SELECT t.n, initcap(string_agg(w.word, ' ')) AS title
       FROM (SELECT n, CASE WHEN pos = 1 AND random() < 0.7 THEN ${analyticsWord} ELSE ${generatedWord} END AS word_id
             FROM generate_series(1, $3::int) n, generate_series(1, 2 + n % 3) pos) t
       JOIN bench_words w ON w.id = t.word_id GROUP BY t.n`,
      [...vocabularySizes, conversations],
    );
    // Last active some time in the past year, made up to 30 days before that.
    await db.query(
      `CREATE UNLOGGED TABLE bench_conversations AS
       SELECT c.n, gen_random_uuid() AS id, c.owner_id, t.title, c.active_at, c.active_at - random() * interval '30 days' AS created_at
       FROM (SELECT (u.n - 1) * $1::int + i AS n, u.id AS owner_id, now() - random() * interval '365 days' AS active_at
             FROM bench_users u, generate_series(1, $1::int) i) c
       JOIN bench_titles t ON t.n = c.n`,
      [conversationsPerUser],
    );
    await db.query(
      `INSERT INTO conversations (id, owner_id, title, created_at, updated_at, active_at)
       SELECT id, owner_id, title, created_at, active_at, active_at FROM bench_conversations ORDER BY n`,
    );
    await db.query(`ANALYZE bench_conversations`);
  });

  await timedStep(steps, 'message text', async () => {
    await db.query(
      `CREATE UNLOGGED TABLE bench_texts AS
       SELECT t.m, string_agg(w.word, ' ') AS text
       FROM (SELECT m, CASE WHEN random() < ${analyticsShare} THEN ${analyticsWord} ELSE ${generatedWord} END AS word_id FROM generate_series(1, $3::int) m, generate_series(1, 14 + (m * 37) % 13) pos) t
       JOIN bench_words w ON w.id = t.word_id GROUP BY t.m`,
      [...vocabularySizes, messages + chatDocuments * chatMessages],
    );
    await db.query(`ANALYZE bench_texts`);
  });

  // Message k of a conversation at k/n of the way from its making to its last activity, so
  // that the last one is when it was last active; written in time order, as they would be.
  await timedStep(steps, 'messages', () =>
    db.query(
      `INSERT INTO messages (conversation_id, role, status, parts, text, created_at, updated_at)
       SELECT id, CASE WHEN k % 2 = 1 THEN 'user' ELSE 'assistant' END, 'complete',
              jsonb_build_array(jsonb_build_object('type', 'text', 'text', text)), text, at, at
       FROM (SELECT c.id, k, t.text, c.created_at + (c.active_at - c.created_at) * k / $1::int AS at
             FROM bench_texts t
             CROSS JOIN LATERAL (SELECT ((t.m - 1) % $1::int + 1)::int AS k, ((t.m - 1) / $1::int + 1)::int AS n) place
             JOIN bench_conversations c ON c.n = place.n
             WHERE t.m <= $2::int) written
       ORDER BY at`,
      [messagesPerConversation, messages],
    ),
  );

  await timedStep(steps, 'indexes', async () => {
    for (const index of indexes) await db.query(index.definition);
  });
  await timedStep(steps, 'vacuum and analyze', () => db.query(`VACUUM ANALYZE users, conversations, messages`));

  // The baseline's store: one jsonb document per chat, its messages an array, as Open WebUI keeps `chat`.
  await timedStep(steps, 'chat documents (baseline)', async () => {
    await db.query(`CREATE TABLE chat_documents (id uuid PRIMARY KEY, chat jsonb NOT NULL)`);
    await db.query(
      `INSERT INTO chat_documents (id, chat)
       SELECT gen_random_uuid(), chat FROM (
         SELECT (t.m - $1::int - 1) / $2::int AS d,
                jsonb_agg(jsonb_build_object('id', gen_random_uuid(), 'role', CASE WHEN (t.m - $1::int) % 2 = 1 THEN 'user' ELSE 'assistant' END,
                                             'content', t.text, 'timestamp', extract(epoch FROM now())::bigint - ($2::int - (t.m - $1::int - 1) % $2::int) * 60)
                          ORDER BY t.m) AS chat
         FROM bench_texts t WHERE t.m > $1::int GROUP BY 1) documents`,
      [messages, chatMessages],
    );
    await db.query(`VACUUM ANALYZE chat_documents`);
  });
  await db.query(`DROP TABLE bench_words, bench_users, bench_titles, bench_conversations, bench_texts`);

  const userIds = (await db.query<{ id: string }>(`SELECT id FROM users ORDER BY email`)).rows.map((row) => row.id);
  const all = (await db.query<{ id: string; ownerId: string }>(`SELECT id, owner_id AS "ownerId" FROM conversations ORDER BY created_at`)).rows;
  const [size] = (
    await db.query<{ messages: string; conversations: string; documents: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('messages')) AS messages, pg_size_pretty(pg_total_relation_size('conversations')) AS conversations,
              pg_size_pretty(pg_total_relation_size('chat_documents')) AS documents`,
    )
  ).rows;
  const sizes = `messages ${size!.messages} with indexes, conversations ${size!.conversations}; chat documents ${size!.documents}`;
  return { vocabulary: kept, userIds, conversations: all, steps, sizes };
}

// ---------------------------------------------------------------------------------------------
// The rows.

interface Row {
  label: string;
  call: Call;
  sequential?: Latencies;
  load?: Throughput;
  /** A line of what the row's calls found, printed below the table. */
  notes?: () => string;
  /** Whether to measure the WAL its sequential calls wrote. */
  writes?: boolean;
  walBytesPerCall?: number;
}

interface Context {
  client: ServiceClient;
  seeded: Seeded;
  pool: pg.Pool;
  documents: { id: string; chat: unknown[] }[];
}

function rows({ client, seeded, pool, documents }: Context): Row[] {
  const { vocabulary, userIds, conversations } = seeded;
  const listLength = Math.min(50, settings.conversationsPerUser);
  const words = [...vocabulary.analytics, ...vocabulary.generated];

  const health: Row = {
    label: 'floor: health (the same path and SELECT 1)',
    call: async () => {
      const reply = await client.send(ConversationsContract.health, {});
      if (reply.checks.database !== 'up') throw new Error(`health: ${JSON.stringify(reply)}`);
    },
  };

  const listRandom = prng(1);
  const list: Row = {
    label: `list a user's ${listLength} newest`,
    call: async () => {
      const ownerId = pick(userIds, listRandom);
      const page = await client.send(ConversationsContract.list, { ownerId, limit: 50 });
      if (page.items.length !== listLength) throw new Error(`list gave ${page.items.length} conversations, not ${listLength}`);
    },
  };

  const openRandom = prng(2);
  let messagesOpened = 0;
  let opened = 0;
  const open: Row = {
    label: 'open a conversation (get + 50 messages)',
    call: async () => {
      const conversation = pick(conversations, openRandom);
      const ref = { ownerId: conversation.ownerId, id: conversation.id };
      const got = await client.send(ConversationsContract.get, ref);
      if (got.id !== conversation.id) throw new Error(`get answered ${got.id} for ${conversation.id}`);
      const page = await client.send(MessagesContract.list, { ownerId: conversation.ownerId, conversationId: conversation.id, limit: 50 });
      if (page.items.length < Math.min(50, settings.messagesPerConversation)) throw new Error(`the conversation opened with ${page.items.length} messages`);
      messagesOpened += page.items.length;
      opened++;
    },
    notes: () => `open: ${(messagesOpened / Math.max(1, opened)).toFixed(1)} messages per conversation opened`,
  };

  const searchRandom = prng(3);
  let searches = 0;
  let found = 0;
  let conversationsFound = 0;
  const search: Row = {
    label: 'search (one or two words)',
    call: async () => {
      const ownerId = pick(userIds, searchRandom);
      const q = searchRandom() < 0.5 ? pick(words, searchRandom) : `${pick(words, searchRandom)} ${pick(words, searchRandom)}`;
      const page = await client.send(ConversationsContract.list, { ownerId, q });
      if (!Array.isArray(page.items)) throw new Error(`search answered ${JSON.stringify(page).slice(0, 200)}`);
      searches++;
      if (page.items.length) found++;
      conversationsFound += page.items.length;
    },
    notes: () =>
      `search: ${((100 * found) / Math.max(1, searches)).toFixed(0)}% of searches found something; ${(conversationsFound / Math.max(1, searches)).toFixed(1)} conversations per search ` +
      `(the first page, at most 50); words drawn evenly from the ${words.length} of the vocabulary`,
  };

  const appendRandom = prng(4);
  const append: Row = {
    label: 'append a message',
    writes: true,
    call: async () => {
      const conversation = pick(conversations, appendRandom);
      const text = sentence(vocabulary, appendRandom);
      const message = await client.send(MessagesContract.append, { ownerId: conversation.ownerId, conversationId: conversation.id, role: 'user', parts: [{ type: 'text', text }] });
      if (message.conversationId !== conversation.id) throw new Error(`append answered for ${message.conversationId}`);
    },
  };

  const rewriteRandom = prng(5);
  let bytesWritten = 0;
  let rewrites = 0;
  const rewrite: Row = {
    label: `for comparison: rewrite the whole chat (one jsonb, ${settings.chatMessages}+ messages)`,
    writes: true,
    call: async () => {
      const document = pick(documents, rewriteRandom);
      document.chat.push({ id: randomUUID(), role: 'user', content: sentence(vocabulary, rewriteRandom), timestamp: Math.floor(Date.now() / 1_000) });
      const body = JSON.stringify(document.chat);
      const result = await pool.query(`UPDATE chat_documents SET chat = $2 WHERE id = $1`, [document.id, body]);
      if (result.rowCount !== 1) throw new Error(`the update of chat ${document.id} changed ${result.rowCount} rows`);
      bytesWritten += body.length;
      rewrites++;
    },
    notes: () => `rewrite: ${(bytesWritten / Math.max(1, rewrites) / 1_024).toFixed(1)} KB of JSON sent per message (the whole chat); straight to Postgres, without the service's path`,
  };
  return [health, list, open, search, append, rewrite];
}

// ---------------------------------------------------------------------------------------------
// Measuring and the report.

async function warmUp(call: Call): Promise<void> {
  const until = performance.now() + settings.warmupMinMs;
  for (let round = 0; round < 20 && (round === 0 || performance.now() < until); round++) {
    await sequential(call, settings.warmup, 10_000);
    await loaded(call, settings.warmup, 10_000, settings.inFlight);
  }
}

/** Where Postgres is in its WAL: the whole server's, so other databases' writes count too. */
async function walPosition(pool: pg.Pool): Promise<string> {
  return (await pool.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0]!.lsn;
}

async function measure(row: Row, pool: pg.Pool): Promise<void> {
  process.stdout.write(`  ${row.label}: warming up…`);
  await warmUp(row.call);
  process.stdout.write(' sequential…');
  const walBefore = row.writes ? await walPosition(pool) : undefined;
  row.sequential = await sequential(row.call, settings.sequential, settings.sequentialMaxMs);
  if (walBefore !== undefined) {
    const [{ bytes }] = (await pool.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS bytes`, [walBefore])).rows as [{ bytes: string }];
    row.walBytesPerCall = Number(bytes) / Math.max(1, row.sequential.count + row.sequential.errors);
  }
  process.stdout.write(` ${settings.inFlight} in flight…`);
  row.load = await loaded(row.call, settings.loadCalls, settings.loadMaxMs, settings.inFlight);
  process.stdout.write(' done\n');
}

const ms = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value.toFixed(2) : '—');
const count = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');

function printTable(measured: Row[]): void {
  const at = `@${settings.inFlight}`;
  const header = ['operation', 'calls', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', `calls/s ${at}`, `p50 ${at}`, `p95 ${at}`, 'errors'];
  printMarkdownTable(
    header,
    measured.map(({ label, sequential: s, load: l }) => [
      label,
      count(s?.count),
      ms(s?.p50),
      ms(s?.p95),
      ms(s?.p99),
      ms(s?.mean),
      count(l?.callsPerSecond),
      ms(l?.p50),
      ms(l?.p95),
      String((s?.errors ?? 0) + (l?.errors ?? 0)),
    ]),
  );
  console.log('');
  for (const row of measured) {
    if (row.notes) console.log(row.notes());
    const firstError = row.sequential?.firstError ?? row.load?.firstError;
    if (firstError) console.log(`${row.label}: first error: ${firstError}`);
  }
}

function printVerdicts(measured: Row[]): void {
  const [floor, list, open, search, append, rewrite] = measured;
  const clean = (row?: Row) => row?.sequential?.errors === 0 && row.load?.errors === 0;
  const verdict = (label: string, row: Row | undefined, limitMs: number) => {
    const p95 = row?.sequential?.p95;
    const result = p95 === undefined || !Number.isFinite(p95) ? 'n/a' : p95 >= limitMs ? 'FAIL' : clean(row) ? 'PASS' : 'FAIL (errors)';
    console.log(`  ${label} p95 < ${limitMs} ms: ${ms(p95)} ms  ${result}`);
  };
  console.log('');
  console.log('Targets (from the issue), one call at a time:');
  verdict(list?.label ?? 'list', list, targets.listMs);
  verdict('open a conversation', open, targets.openMs);
  verdict('append a message', append, targets.appendMs);
  verdict('search', search, targets.searchMs);
  console.log('For comparison (not targets):');
  if (floor?.sequential) console.log(`  floor, the service's health call: p50 ${ms(floor.sequential.p50)} ms, p95 ${ms(floor.sequential.p95)} ms, ${count(floor.load?.callsPerSecond)} calls/s at ${settings.inFlight} in flight`);
  if (append?.sequential && rewrite?.sequential) {
    const wal = (row: Row) => (row.walBytesPerCall === undefined ? '—' : `${(row.walBytesPerCall / 1_024).toFixed(1)} KB`);
    console.log(
      `  append, one row each: p50 ${ms(append.sequential.p50)} ms, p95 ${ms(append.sequential.p95)} ms, ${count(append.load?.callsPerSecond)} calls/s, ${wal(append)} of WAL per message; ` +
        `rewriting the whole chat: p50 ${ms(rewrite.sequential.p50)} ms, p95 ${ms(rewrite.sequential.p95)} ms, ${count(rewrite.load?.callsPerSecond)} calls/s, ${wal(rewrite)} of WAL per message`,
    );
    console.log('  (WAL is the whole server\'s over the sequential calls: writes by other databases count too.)');
  }
}

// ---------------------------------------------------------------------------------------------
// Main.

async function main(): Promise<void> {
  let app: INestApplication | undefined;
  let db: pg.Client | undefined;
  let pool: pg.Pool | undefined;
  let created = false;
  const cleanup = cleanupOnEnd({
    stop: async () => {
      await app?.close().catch(() => undefined);
      await pool?.end().catch(() => undefined);
      await db?.end().catch(() => undefined);
      if (created) await dropDatabase().catch((error: unknown) => console.error(`Could not drop ${settings.database}: ${error instanceof Error ? error.message : error}`));
    },
    watchdogMs: settings.watchdogMs,
    onSignal: 'dropping the bench database',
  });

  const { users, conversationsPerUser, messagesPerConversation } = settings;
  const total = (n: number) => n.toLocaleString('en-US');
  console.log(
    `Conversations bench: ${total(users)} users, ${total(users * conversationsPerUser)} conversations, ${total(users * conversationsPerUser * messagesPerConversation)} messages on Postgres, ` +
      'through the conversations service (in-process transport).',
  );
  console.log(`  Node ${process.version} · ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'})`);
  console.log(`  Load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min); other work on the machine skews the figures.`);
  console.log(
    `  Per row: warm-up (≥ ${settings.warmupMinMs / 1_000} s), ${settings.sequential} sequential calls (at most ${settings.sequentialMaxMs / 1_000} s), ` +
      `then ${settings.loadMaxMs / 1_000} s at ${settings.inFlight} in flight. Every reply is checked.`,
  );

  const measured: Row[] = [];
  let failure: unknown;
  try {
    const random = prng(42);
    const vocabulary: Vocabulary = { analytics: analyticsWords, generated: generatedWords(settings.vocabulary, random) };
    await createDatabase();
    created = true;
    const url = urlOf(settings.database);
    await runMigrations(url);
    db = new pg.Client({ connectionString: url });
    db.on('error', () => undefined); // when the drop at the end (Ctrl-C while seeding) ends it; the query in progress fails too
    await db.connect();
    const [{ version }] = (await db.query<{ version: string }>(`SELECT current_setting('server_version') AS version`)).rows as [{ version: string }];
    process.stdout.write(`  Seeding ${settings.database} (Postgres ${version})…`);
    const begin = performance.now();
    const seeded = await seed(db, vocabulary);
    const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;
    console.log(` done in ${seconds(performance.now() - begin)}: ${seeded.steps.map(([label, took]) => `${label} ${seconds(took)}`).join(', ')}`);
    console.log(`  ${seeded.sizes}`);
    await db.end();
    db = undefined;

    const transport = new InProcessTransport();
    const config = { ...loadConfig(ConversationsEnv, { LOG_LEVEL: 'warn' }), DATABASE_URL: url };
    app = await createServiceApp(ConversationsServiceModule.forRoot({ config, transport }), ServiceName.Conversations, transport);
    await app.init();
    const client = new ServiceClient(ServiceName.Conversations, transport.createClient(ServiceName.Conversations), settings.callTimeoutMs);
    pool = new pg.Pool({ connectionString: url, max: settings.inFlight });
    // An idle connection that breaks (the drop at the end ends them all) is replaced by the next query; nothing to report.
    pool.on('error', () => undefined);
    const documents = (await pool.query<{ id: string; chat: unknown[] }>(`SELECT id, chat FROM chat_documents ORDER BY id`)).rows;
    console.log(`  The service runs with a pool of ${config.DB_POOL_SIZE} connections; the baseline has a pool of its own (${settings.inFlight}).`);
    console.log('');

    for (const row of rows({ client, seeded, pool, documents })) {
      if (cleanup.stopping) break;
      await measure(row, pool);
      measured.push(row);
    }
  } catch (error) {
    failure = error;
  } finally {
    await cleanup.stopAll();
  }

  if (measured.length) {
    console.log('');
    printTable(measured);
    printVerdicts(measured);
  }
  if (failure) {
    console.error('\nThe bench failed:', failure instanceof Error ? failure.message : failure);
    process.exitCode = 1;
  }
}

runBench(main);
