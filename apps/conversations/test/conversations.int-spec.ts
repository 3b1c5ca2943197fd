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
  ToolGrantsContract,
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

  it('remembers a conversation\'s chat model: stored when made, changed, and cleared with null', async () => {
    const made = await client.send(ConversationsContract.create, { ownerId, title: 'With a model', model: ' gpt-test ' });
    expect(made.model).toBe('gpt-test');
    expect((await client.send(ConversationsContract.create, { ownerId, title: 'Default model' })).model).toBeNull();
    const ref = { ownerId, id: made.id };
    expect((await client.send(ConversationsContract.update, { ...ref, model: 'claude-test' })).model).toBe('claude-test');
    // A change that leaves the model out keeps it.
    expect(await client.send(ConversationsContract.update, { ...ref, pinned: true })).toMatchObject({ model: 'claude-test', pinned: true });
    expect((await client.send(ConversationsContract.get, ref)).model).toBe('claude-test');
    expect((await client.send(ConversationsContract.list, { ownerId })).items.find((c) => c.id === made.id)?.model).toBe('claude-test');
    expect((await client.send(ConversationsContract.update, { ...ref, model: null })).model).toBeNull();
    expect((await client.send(ConversationsContract.get, ref)).model).toBeNull();
    for (const model of ['x'.repeat(201), '', '  ', 7]) {
      const error = (await client.send(ConversationsContract.update, { ...ref, model } as never).catch((e: unknown) => e)) as AppError;
      expect(error.code).toBe(ErrorCode.ValidationFailed);
    }
    expect((await client.send(ConversationsContract.update, { ...ref, model: 'x'.repeat(200) })).model).toBe('x'.repeat(200));
    const other = (await client.send(ConversationsContract.update, { ownerId: otherId, id: made.id, model: 'stolen' }).catch((e: unknown) => e)) as AppError;
    expect(other.code).toBe(ErrorCode.NotFound);
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

  describe('asking: a question and its empty answer in one write', () => {
    const text = (value: string) => [{ type: 'text' as const, text: value }];

    it('adds the question after the latest message and the streaming answer under it, titles a new conversation once, and returns the branch', async () => {
      const conversation = await client.send(ConversationsContract.create, { ownerId });
      const ref = { ownerId, conversationId: conversation.id };
      const first = await client.send(MessagesContract.ask, { ...ref, parts: text('Sales per store?'), title: 'Sales per store?', keepModels: ['m-1'], model: 'm-1' });
      expect(first.first).toBe(true);
      expect(first.conversation).toMatchObject({ id: conversation.id, title: 'Sales per store?' });
      expect(first.question).toMatchObject({ role: 'user', status: 'complete', parentId: null, parts: text('Sales per store?') });
      expect(first.answer).toMatchObject({ role: 'assistant', status: 'streaming', parentId: first.question.id, parts: [], model: 'm-1' });
      expect(first.branch).toEqual([]);
      await client.send(MessagesContract.update, { ...ref, id: first.answer.id, parts: text('Europe leads.'), status: 'complete' });

      const second = await client.send(MessagesContract.ask, { ...ref, parts: text('And by month?'), title: 'And by month?' });
      expect(second.first).toBe(false);
      expect(second.conversation.title).toBe('Sales per store?');
      expect(second.question.parentId).toBe(first.answer.id);
      expect(second.branch.map((message) => [message.role, message.parts])).toEqual([
        ['user', text('Sales per store?')],
        ['assistant', text('Europe leads.')],
      ]);
      expect(new Date(second.conversation.activeAt).getTime()).toBeGreaterThanOrEqual(new Date(first.conversation.activeAt).getTime());

      // A new root (an edit of the first question), and a branch from the first question.
      const root = await client.send(MessagesContract.ask, { ...ref, parentId: null, parts: text('Sales per city?') });
      expect([root.question.parentId, root.branch]).toEqual([null, []]);
      const sibling = await client.send(MessagesContract.ask, { ...ref, parentId: first.question.id, parts: text('Only 2025?') });
      expect(sibling.branch.map((message) => message.id)).toEqual([first.question.id]);
      expect((await client.send(MessagesContract.list, { ...ref, limit: 50 })).items).toHaveLength(8);
    });

    it("picks the answer's model: the conversation's own while it is one of keepModels, else the one given, else none", async () => {
      const conversation = await client.send(ConversationsContract.create, { ownerId, model: 'remembered' });
      const ref = { ownerId, conversationId: conversation.id };
      const modelOf = async (choice: { keepModels?: string[]; model?: string }) => (await client.send(MessagesContract.ask, { ...ref, parts: text('x'), ...choice })).answer.model;
      expect(await modelOf({ keepModels: ['other', 'remembered'], model: 'default' })).toBe('remembered');
      expect(await modelOf({ keepModels: ['other'], model: 'default' })).toBe('default');
      expect(await modelOf({ model: 'asked-for' })).toBe('asked-for');
      expect(await modelOf({ keepModels: [] })).toBeNull();
    });

    it("writes nothing for a parent from another conversation, another owner's conversation, or a request that is not valid", async () => {
      const conversation = await client.send(ConversationsContract.create, { ownerId });
      const elsewhere = await client.send(ConversationsContract.create, { ownerId });
      const foreign = await client.send(MessagesContract.ask, { ownerId, conversationId: elsewhere.id, parts: text('Elsewhere') });
      const ref = { ownerId, conversationId: conversation.id };
      const snapshot = () =>
        database.query('SELECT c.title, c.active_at, (SELECT count(*)::int FROM messages m WHERE m.conversation_id = c.id) AS n FROM conversations c WHERE c.id = $1', [conversation.id]);
      const before = await snapshot();
      const refusals: [unknown, ErrorCode][] = [
        [{ ...ref, parentId: foreign.question.id, parts: text('x'), title: 'Never' }, ErrorCode.ValidationFailed],
        [{ ...ref, parentId: randomUUID(), parts: text('x'), title: 'Never' }, ErrorCode.ValidationFailed],
        [{ ownerId: otherId, conversationId: conversation.id, parts: text('x'), title: 'Never' }, ErrorCode.NotFound],
        [{ ownerId, conversationId: randomUUID(), parts: text('x') }, ErrorCode.NotFound],
        [{ ...ref, parts: [{ type: 'video' }] }, ErrorCode.ValidationFailed],
        [{ ...ref, parts: text('x'), keepModels: 'm-1' }, ErrorCode.ValidationFailed],
      ];
      for (const [request, code] of refusals) {
        const error = (await client.send(MessagesContract.ask, request as never).catch((e: unknown) => e)) as AppError;
        expect([JSON.stringify(request), error.code]).toEqual([JSON.stringify(request), code]);
      }
      expect(await snapshot()).toEqual(before);
    });
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

  describe('tool grants', () => {
    let emails = 0;
    const newUser = async () => (await client.send(AccountsContract.createUser, { email: `grants-${++emails}@example.com`, name: 'x', passwordHash: 'x', othersMayRegister: true })).id;
    const newConversation = async (ownerId: string) => (await client.send(ConversationsContract.create, { ownerId, title: 'Grants' })).id;
    const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as AppError);
    const tools = (grants: { tool: string; conversationId: string | null }[]) => grants.map((grant) => `${grant.tool}@${grant.conversationId ?? 'always'}`);

    it('grants a tool in a conversation or always, and granting again answers the same grant', async () => {
      const ownerId = await newUser();
      const conversationId = await newConversation(ownerId);
      const inConversation = await client.send(ToolGrantsContract.create, { ownerId, tool: 'data__write_file', conversationId });
      expect(inConversation).toEqual({ id: expect.any(String), tool: 'data__write_file', conversationId, createdAt: expect.any(String) });
      const always = await client.send(ToolGrantsContract.create, { ownerId, tool: 'data__write_file' });
      expect(always).toMatchObject({ tool: 'data__write_file', conversationId: null });
      expect(always.id).not.toBe(inConversation.id);

      expect(await client.send(ToolGrantsContract.create, { ownerId, tool: 'data__write_file', conversationId })).toEqual(inConversation);
      expect(await client.send(ToolGrantsContract.create, { ownerId, tool: 'data__write_file' })).toEqual(always);
      // At once, too: one row each, whoever wins.
      const racing = await Promise.all(Array.from({ length: 5 }, () => client.send(ToolGrantsContract.create, { ownerId, tool: 'data__drop_table' })));
      expect(new Set(racing.map((grant) => grant.id)).size).toBe(1);
      expect(await database.query('SELECT count(*)::int AS n FROM tool_grants WHERE user_id = $1', [ownerId])).toEqual([{ n: 3 }]);
    });

    it('lists the grants that hold in a conversation (its own and the "always" ones), or all of them newest first', async () => {
      const ownerId = await newUser();
      const [first, second] = [await newConversation(ownerId), await newConversation(ownerId)];
      await client.send(ToolGrantsContract.create, { ownerId, tool: 'fs__write', conversationId: first });
      await client.send(ToolGrantsContract.create, { ownerId, tool: 'sql__execute' });
      await client.send(ToolGrantsContract.create, { ownerId, tool: 'fs__delete', conversationId: second });

      expect(tools(await client.send(ToolGrantsContract.list, { ownerId }))).toEqual([`fs__delete@${second}`, 'sql__execute@always', `fs__write@${first}`]);
      expect(tools(await client.send(ToolGrantsContract.list, { ownerId, conversationId: first }))).toEqual(['sql__execute@always', `fs__write@${first}`]);
      expect(tools(await client.send(ToolGrantsContract.list, { ownerId, conversationId: second }))).toEqual([`fs__delete@${second}`, 'sql__execute@always']);
      expect(tools(await client.send(ToolGrantsContract.list, { ownerId, conversationId: randomUUID() }))).toEqual(['sql__execute@always']);
    });

    it('revokes a grant, once', async () => {
      const ownerId = await newUser();
      const grant = await client.send(ToolGrantsContract.create, { ownerId, tool: 'sql__execute' });
      expect(await client.send(ToolGrantsContract.delete, { ownerId, id: grant.id })).toEqual({ deleted: true });
      expect(await client.send(ToolGrantsContract.list, { ownerId })).toEqual([]);
      expect((await failure(client.send(ToolGrantsContract.delete, { ownerId, id: grant.id })))?.code).toBe(ErrorCode.NotFound);
      expect((await failure(client.send(ToolGrantsContract.delete, { ownerId, id: randomUUID() })))?.code).toBe(ErrorCode.NotFound);
      // Granted again after a revoke, it is a new grant.
      expect((await client.send(ToolGrantsContract.create, { ownerId, tool: 'sql__execute' })).id).not.toBe(grant.id);
    });

    it('keeps each user\'s grants their own', async () => {
      const [ownerId, otherId] = [await newUser(), await newUser()];
      const conversationId = await newConversation(ownerId);
      const grant = await client.send(ToolGrantsContract.create, { ownerId, tool: 'fs__write', conversationId });
      await client.send(ToolGrantsContract.create, { ownerId, tool: 'sql__execute' });

      expect(await client.send(ToolGrantsContract.list, { ownerId: otherId })).toEqual([]);
      expect(await client.send(ToolGrantsContract.list, { ownerId: otherId, conversationId })).toEqual([]);
      expect((await failure(client.send(ToolGrantsContract.delete, { ownerId: otherId, id: grant.id })))?.code).toBe(ErrorCode.NotFound);
      // Another user's conversation is not found, as if it did not exist.
      expect((await failure(client.send(ToolGrantsContract.create, { ownerId: otherId, tool: 'fs__write', conversationId })))?.code).toBe(ErrorCode.NotFound);
      expect((await failure(client.send(ToolGrantsContract.create, { ownerId, tool: 'fs__write', conversationId: randomUUID() })))?.code).toBe(ErrorCode.NotFound);
      // The same tool granted "always" by two users is two grants.
      const theirs = await client.send(ToolGrantsContract.create, { ownerId: otherId, tool: 'sql__execute' });
      expect(tools(await client.send(ToolGrantsContract.list, { ownerId: otherId }))).toEqual(['sql__execute@always']);
      expect(tools(await client.send(ToolGrantsContract.list, { ownerId }))).toEqual(['sql__execute@always', `fs__write@${conversationId}`]);
      expect((await client.send(ToolGrantsContract.list, { ownerId })).map((g) => g.id)).not.toContain(theirs.id);
    });

    it('drops a conversation\'s grants when it is deleted (hidden at once, gone when purged) or its user is, and keeps the "always" ones', async () => {
      const ownerId = await newUser();
      const conversationId = await newConversation(ownerId);
      await client.send(ToolGrantsContract.create, { ownerId, tool: 'fs__write', conversationId });
      await client.send(ToolGrantsContract.create, { ownerId, tool: 'sql__execute' });

      await client.send(ConversationsContract.delete, { ownerId, id: conversationId });
      expect(tools(await client.send(ToolGrantsContract.list, { ownerId }))).toEqual(['sql__execute@always']);
      expect(tools(await client.send(ToolGrantsContract.list, { ownerId, conversationId }))).toEqual(['sql__execute@always']);
      expect((await failure(client.send(ToolGrantsContract.create, { ownerId, tool: 'fs__write', conversationId })))?.code).toBe(ErrorCode.NotFound);

      await database.query(`UPDATE conversations SET deleted_at = now() - interval '31 days' WHERE id = $1`, [conversationId]);
      expect(await app.get(ConversationsPurge).purge()).toBe(1);
      expect(await database.query('SELECT tool, conversation_id FROM tool_grants WHERE user_id = $1', [ownerId])).toEqual([{ tool: 'sql__execute', conversation_id: null }]);

      await database.query('DELETE FROM users WHERE id = $1', [ownerId]);
      expect(await database.query('SELECT count(*)::int AS n FROM tool_grants WHERE user_id = $1', [ownerId])).toEqual([{ n: 0 }]);
    });

    it('refuses invalid requests with validation_failed and stores nothing', async () => {
      const ownerId = await newUser();
      const before = await database.query('SELECT count(*)::int AS n FROM tool_grants');
      for (const request of [
        { ownerId, tool: 'no_separator' },
        { ownerId, tool: '__tool' },
        { ownerId, tool: 'server__' },
        { ownerId, tool: 'a b__c' },
        { ownerId, tool: `s__${'x'.repeat(298)}` },
        { ownerId, tool: 7 },
        { ownerId, tool: 'fs__write', conversationId: 'not-a-uuid' },
        { ownerId, tool: 'fs__write', extra: true },
        { tool: 'fs__write' },
      ]) {
        expect((await failure(client.send(ToolGrantsContract.create, request as never)))?.code).toBe(ErrorCode.ValidationFailed);
      }
      expect((await failure(client.send(ToolGrantsContract.list, { ownerId, conversationId: 'nope' })))?.code).toBe(ErrorCode.ValidationFailed);
      expect((await failure(client.send(ToolGrantsContract.delete, { ownerId, id: 'nope' })))?.code).toBe(ErrorCode.ValidationFailed);
      expect(await database.query('SELECT count(*)::int AS n FROM tool_grants')).toEqual(before);
      // 300 characters is the longest a qualified name may be.
      expect((await client.send(ToolGrantsContract.create, { ownerId, tool: `s__${'x'.repeat(297)}` })).tool).toHaveLength(300);
    });
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
      await database.query(`UPDATE conversations SET model = 'gpt-test' WHERE id = $1`, [conversation.id]);
      await database.query(`INSERT INTO tool_grants (user_id, tool, conversation_id) VALUES ($1, 'data__write', NULL), ($1, 'data__write', $2)`, [user.id, conversation.id]);

      const reverted: string[] = [];
      for (let name = await revertLastMigration(database.url); name; name = await revertLastMigration(database.url)) {
        reverted.push(name);
        if (name === 'AddConversationModelAndToolGrants1764900000000') {
          expect(await database.query(`SELECT to_regclass('tool_grants') AS g`)).toEqual([{ g: null }]);
          expect(await database.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'conversations' AND column_name = 'model'`)).toEqual([{ n: 0 }]);
          expect(await database.query(`SELECT title FROM conversations`)).toEqual([{ title: 'kept until the table goes' }]);
        }
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
