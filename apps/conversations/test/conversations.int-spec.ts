import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import {
  AccountsContract,
  AppError,
  ConversationsContract,
  ConversationsEnv,
  createServiceApp,
  ErrorCode,
  InProcessTransport,
  MessagesContract,
  loadConfig,
  ServiceClient,
  ServiceName,
} from '@dataflow/shared';
import { createTestDatabase, type TestDatabase } from '@dataflow/shared/testing';
import { ConversationsServiceModule } from '../src/conversations-service.module.js';
import { ConversationsPurge } from '../src/conversations/conversations-purge.js';
import { migrations, revertLastMigration, runMigrations } from '../src/database/data-source.js';

describe('the conversations service on Postgres', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let client: ServiceClient;
  const transport = new InProcessTransport();

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = { ...loadConfig(ConversationsEnv, { LOG_LEVEL: 'warn' }), DATABASE_URL: database.url };
    app = await createServiceApp(ConversationsServiceModule.forRoot({ config, transport }), ServiceName.Conversations, transport);
    await app.init();
    client = new ServiceClient(ServiceName.Conversations, transport.createClient(ServiceName.Conversations), 5_000);
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('starts from the migrated template, with no rows', async () => {
    expect(await database.query('SELECT count(*)::int AS n FROM conversations')).toEqual([{ n: 0 }]);
  });

  let ownerId: string;
  let otherId: string;
  beforeAll(async () => {
    [ownerId, otherId] = await Promise.all(
      ['owner@example.com', 'other@example.com'].map(async (email) => (await client.send(AccountsContract.createUser, { email, name: 'x', passwordHash: 'x', othersMayRegister: true })).id),
    );
  });

  it('creates conversations for their owner and lists the owner\'s, newest first, honouring the limit', async () => {
    const first = await client.send(ConversationsContract.create, { ownerId, title: '  Churn by cohort  ' });
    const second = await client.send(ConversationsContract.create, { ownerId });
    await client.send(ConversationsContract.create, { ownerId: otherId, title: 'Not yours' });
    expect(first.title).toBe('Churn by cohort');
    expect(second.title).toBe('New conversation');
    expect((await client.send(ConversationsContract.list, { ownerId })).items.map((c) => c.id)).toEqual([second.id, first.id]);
    expect((await client.send(ConversationsContract.list, { ownerId, limit: 1 })).items.map((c) => c.id)).toEqual([second.id]);
    expect((await client.send(ConversationsContract.list, { ownerId: otherId })).items.map((c) => c.title)).toEqual(['Not yours']);
  });

  it('keeps messages one row each, in order, with typed parts, a parent in the same conversation, usage and timing', async () => {
    const conversation = await client.send(ConversationsContract.create, { ownerId, title: 'Messages' });
    const ref = { ownerId, conversationId: conversation.id };
    const question = await client.send(MessagesContract.append, { ...ref, role: 'user', parts: [{ type: 'text', text: 'Revenue by month?' }] });
    expect(question).toMatchObject({ role: 'user', status: 'complete', parentId: null, model: null, usage: null });
    const answer = await client.send(MessagesContract.append, {
      ...ref,
      parentId: question.id,
      role: 'assistant',
      status: 'streaming',
      model: 'gpt-test',
      parts: [{ type: 'text', text: 'Let me' }],
    });
    // A long answer is rewritten in batches: that one row, never the conversation.
    const parts = [
      { type: 'text', text: 'Let me query it.' },
      { type: 'tool_call', callId: 'c1', tool: 'data__query', arguments: { sql: 'SELECT 1' } },
      { type: 'tool_result', callId: 'c1', isError: false, content: { rows: [[1]] } },
      { type: 'chart', spec: { mark: 'bar' }, title: 'Revenue' },
      { type: 'file', name: 'sales.csv', mediaType: 'text/csv' },
      { type: 'error', code: 'timeout', message: 'the data server took too long' },
    ] as const;
    await client.send(MessagesContract.update, { ...ref, id: answer.id, parts: [...parts] });
    const done = await client.send(MessagesContract.update, { ...ref, id: answer.id, status: 'complete', usage: { inputTokens: 10, outputTokens: 20 }, timing: { firstTokenMs: 150, durationMs: 900 } });
    expect(done).toMatchObject({ parentId: question.id, status: 'complete', parts, model: 'gpt-test', usage: { inputTokens: 10, outputTokens: 20 }, timing: { firstTokenMs: 150, durationMs: 900 } });
    const ended = (await client.send(MessagesContract.update, { ...ref, id: answer.id, parts: [] }).catch((e: unknown) => e)) as AppError;
    expect(ended.code).toBe(ErrorCode.Conflict);

    const page = await client.send(MessagesContract.list, { ...ref, limit: 1 });
    expect(page.items.map((m) => m.id)).toEqual([question.id]);
    const rest = await client.send(MessagesContract.list, { ...ref, limit: 1, cursor: page.nextCursor! });
    expect(rest).toEqual({ items: [done], nextCursor: null });

    const refused = [
      { ...ref, role: 'user', parts: [{ type: 'text', text: 'x' }], parentId: randomUUID() },
      { ...ref, role: 'user', parts: [{ type: 'video', url: 'x' }] },
      { ...ref, role: 'robot', parts: [] },
      { ownerId: otherId, conversationId: conversation.id, role: 'user', parts: [] },
    ];
    const before = await database.query('SELECT count(*)::int AS n, max(active_at) AS at FROM messages, conversations WHERE conversations.id = $1', [conversation.id]);
    for (const request of refused) {
      const error = (await client.send(MessagesContract.append, request as never).catch((e: unknown) => e)) as AppError;
      expect([ErrorCode.ValidationFailed, ErrorCode.NotFound]).toContain(error.code);
    }
    expect(await database.query('SELECT count(*)::int AS n, max(active_at) AS at FROM messages, conversations WHERE conversations.id = $1', [conversation.id])).toEqual(before);
    const badCursor = (await client.send(MessagesContract.list, { ...ref, cursor: 'bm90LWEtY3Vyc29y' }).catch((e: unknown) => e)) as AppError;
    expect(badCursor.code).toBe(ErrorCode.ValidationFailed);
  });

  it('lists by last activity a page at a time, filters archived ones, and finds conversations by title or message text', async () => {
    const owner = (await client.send(AccountsContract.createUser, { email: 'pages@example.com', name: 'x', passwordHash: 'x', othersMayRegister: true })).id;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await client.send(ConversationsContract.create, { ownerId: owner, title: `Conversation ${i}` }));
    // Adding a message brings a conversation to the top.
    await client.send(MessagesContract.append, { ownerId: owner, conversationId: made[1]!.id, role: 'user', parts: [{ type: 'text', text: 'Which regions had the highest revenues in 2025?' }] });
    await client.send(ConversationsContract.update, { ownerId: owner, id: made[3]!.id, archived: true });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.send(ConversationsContract.list, { ownerId: owner, limit: 2, cursor });
      seen.push(...page.items.map((c) => c.title));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['Conversation 1', 'Conversation 4', 'Conversation 2', 'Conversation 0']);
    expect((await client.send(ConversationsContract.list, { ownerId: owner, archived: true })).items.map((c) => c.title)).toEqual(['Conversation 3']);

    const search = async (q: string) => (await client.send(ConversationsContract.list, { ownerId: owner, q })).items.map((c) => c.title);
    expect(await search('revenue region')).toEqual(['Conversation 1']); // stemmed: revenues, regions
    expect(await search('"conversation 2"')).toEqual(['Conversation 2']);
    expect(await search('nothing-like-this')).toEqual([]);
    expect(await search('revenue -region')).toEqual([]);
    // Another user's words are not found.
    expect((await client.send(ConversationsContract.list, { ownerId, q: 'regions' })).items).toEqual([]);
  });

  it('purges conversations deleted more than 30 days ago, and only those', async () => {
    const old = await client.send(ConversationsContract.create, { ownerId, title: 'Long gone' });
    const recent = await client.send(ConversationsContract.create, { ownerId, title: 'Just deleted' });
    for (const { id } of [old, recent]) await client.send(ConversationsContract.delete, { ownerId, id });
    await database.query(`UPDATE conversations SET deleted_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
    expect(await app.get(ConversationsPurge).purge()).toBe(1);
    expect(await database.query('SELECT title FROM conversations WHERE id IN ($1, $2)', [old.id, recent.id])).toEqual([{ title: 'Just deleted' }]);
  });

  it('refuses invalid requests with validation_failed and stores nothing', async () => {
    const before = await database.query('SELECT count(*)::int AS n FROM conversations');
    for (const request of [{ ownerId, title: 'x'.repeat(201) }, { ownerId, title: 7 }, { ownerId, title: 'ok', extra: true }, { title: 'no owner' }, { ownerId: 'nope' }]) {
      const error = (await client.send(ConversationsContract.create, request as never).catch((e: unknown) => e)) as AppError;
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe(ErrorCode.ValidationFailed);
    }
    const error = (await client.send(ConversationsContract.list, { ownerId, limit: 1000 }).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(await database.query('SELECT count(*)::int AS n FROM conversations')).toEqual(before);
  });

  it('reports its database in its health answer', async () => {
    expect(await client.send(ConversationsContract.health, {})).toEqual({ service: 'conversations', checks: { database: 'up' } });
  });
});

describe('the migrations', () => {
  const names = migrations.map((Migration) => new Migration().name);

  /** Reverts every applied migration, newest first, and returns their names in that order. */
  async function revertAll(url: string): Promise<string[]> {
    const reverted: string[] = [];
    for (let name = await revertLastMigration(url); name; name = await revertLastMigration(url)) reverted.push(name);
    return reverted;
  }

  it('go down and up again on an empty database', async () => {
    const database = await createTestDatabase();
    try {
      expect(await revertAll(database.url)).toEqual([...names].reverse());
      expect(await database.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`)).toEqual([{ n: 0 }]);
      expect(await runMigrations(database.url)).toEqual(names);
      expect(await runMigrations(database.url)).toEqual([]);
    } finally {
      await database.drop();
    }
  });

  it('go down and up again on a database with data, keeping the rows of tables that stay', async () => {
    const database = await createTestDatabase();
    try {
      const [user] = await database.query(`INSERT INTO users (email, name, password_hash, role) VALUES ('a@example.com', 'A', 'x', 'admin') RETURNING id`);
      const [conversation] = await database.query(`INSERT INTO conversations (title, owner_id) VALUES ('kept until the table goes', $1) RETURNING id`, [user.id]);
      const [first] = await database.query(`INSERT INTO messages (conversation_id, role, status, parts, text) VALUES ($1, 'user', 'complete', '[]', 'revenue by month') RETURNING id`, [conversation.id]);
      await database.query(`INSERT INTO messages (conversation_id, parent_id, role, status, parts) VALUES ($1, $2, 'assistant', 'complete', '[]')`, [conversation.id, first.id]);
      await database.query(`INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), repeat('a', 64), now())`, [user.id]);
      await database.query(`INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1, 'k', 'dfc_abcdefgh', repeat('b', 64), '{chat}')`, [user.id]);
      await database.query(`INSERT INTO audit_log (action, actor_id) VALUES ('login.succeeded', $1)`, [user.id]);

      const reverted: string[] = [];
      for (let name = await revertLastMigration(database.url); name; name = await revertLastMigration(database.url)) {
        reverted.push(name);
        if (name === 'CreateMessagesAndSearch1764600000000') {
          expect(await database.query(`SELECT to_regclass('messages') AS m`)).toEqual([{ m: null }]);
          expect(await database.query(`SELECT title FROM conversations`)).toEqual([{ title: 'kept until the table goes' }]);
        }
        if (name === 'CreateApiKeys1764200000000') expect(await database.query(`SELECT to_regclass('api_keys') AS k`)).toEqual([{ k: null }]);
        if (name === 'CreateAccounts1764100000000') expect(await database.query('SELECT count(*)::int AS n FROM conversations')).toEqual([{ n: 1 }]);
      }
      expect(reverted).toEqual([...names].reverse());
      expect(await database.query(`SELECT to_regclass('conversations') AS t`)).toEqual([{ t: null }]);
      expect(await runMigrations(database.url)).toEqual(names);
      expect(await database.query('SELECT (SELECT count(*)::int FROM conversations) AS c, (SELECT count(*)::int FROM users) AS u')).toEqual([{ c: 0, u: 0 }]);
    } finally {
      await database.drop();
    }
  });
});
