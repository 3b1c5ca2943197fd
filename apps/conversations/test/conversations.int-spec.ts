import type { INestApplication } from '@nestjs/common';
import {
  AccountsContract,
  AppError,
  ConversationsContract,
  ConversationsEnv,
  createServiceApp,
  ErrorCode,
  InProcessTransport,
  loadConfig,
  ServiceClient,
  ServiceName,
} from '@dataflow/shared';
import { createTestDatabase, type TestDatabase } from '@dataflow/shared/testing';
import { ConversationsServiceModule } from '../src/conversations-service.module.js';
import { ConversationsPurge } from '../src/conversations/conversations-purge.js';
import { revertLastMigration, runMigrations } from '../src/database/data-source.js';

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
    expect((await client.send(ConversationsContract.list, { ownerId })).map((c) => c.id)).toEqual([second.id, first.id]);
    expect((await client.send(ConversationsContract.list, { ownerId, limit: 1 })).map((c) => c.id)).toEqual([second.id]);
    expect((await client.send(ConversationsContract.list, { ownerId: otherId })).map((c) => c.title)).toEqual(['Not yours']);
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
  it('go down and up again on a database with data', async () => {
    const database = await createTestDatabase();
    try {
      await database.query(`INSERT INTO conversations (title) VALUES ('kept until the table goes')`);
      const [user] = await database.query(`INSERT INTO users (email, name, password_hash, role) VALUES ('a@example.com', 'A', 'x', 'admin') RETURNING id`);
      await database.query(`INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), repeat('a', 64), now())`, [user.id]);
      await database.query(`INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1, 'k', 'dfc_abcdefgh', repeat('b', 64), '{chat}')`, [user.id]);
      await database.query(`INSERT INTO audit_log (action, actor_id) VALUES ('login.succeeded', $1)`, [user.id]);
      await database.query(`UPDATE conversations SET owner_id = $1`, [user.id]);
      expect(await revertLastMigration(database.url)).toBe('AddConversationFlags1764500000000');
      expect(await revertLastMigration(database.url)).toBe('AddConversationOwners1764400000000');
      expect(await database.query(`SELECT count(*)::int AS n FROM conversations`)).toEqual([{ n: 1 }]);
      expect(await revertLastMigration(database.url)).toBe('AddLoginLockoutAndAuditLog1764300000000');
      expect(await database.query(`SELECT to_regclass('audit_log') AS a`)).toEqual([{ a: null }]);
      expect(await revertLastMigration(database.url)).toBe('CreateApiKeys1764200000000');
      expect(await database.query(`SELECT to_regclass('api_keys') AS k`)).toEqual([{ k: null }]);
      expect(await revertLastMigration(database.url)).toBe('CreateAccounts1764100000000');
      expect(await database.query(`SELECT to_regclass('users') AS u, to_regclass('refresh_tokens') AS r`)).toEqual([{ u: null, r: null }]);
      expect(await database.query('SELECT count(*)::int AS n FROM conversations')).toEqual([{ n: 1 }]);
      expect(await revertLastMigration(database.url)).toBe('CreateConversations1764000000000');
      expect(await database.query(`SELECT to_regclass('conversations') AS t`)).toEqual([{ t: null }]);
      expect(await runMigrations(database.url)).toEqual(['CreateConversations1764000000000', 'CreateAccounts1764100000000', 'CreateApiKeys1764200000000', 'AddLoginLockoutAndAuditLog1764300000000', 'AddConversationOwners1764400000000', 'AddConversationFlags1764500000000']);
      expect(await runMigrations(database.url)).toEqual([]);
      expect(await database.query('SELECT (SELECT count(*)::int FROM conversations) AS c, (SELECT count(*)::int FROM users) AS u')).toEqual([{ c: 0, u: 0 }]);
    } finally {
      await database.drop();
    }
  });
});
