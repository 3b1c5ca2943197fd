import { DataSource, type DataSourceOptions } from 'typeorm';
import { Conversation } from '../conversations/conversation.entity.js';
import { CreateConversations1764000000000 } from './migrations/1764000000000-CreateConversations.js';
import { CreateAccounts1764100000000 } from './migrations/1764100000000-CreateAccounts.js';
import { CreateApiKeys1764200000000 } from './migrations/1764200000000-CreateApiKeys.js';
import { AddLoginLockoutAndAuditLog1764300000000 } from './migrations/1764300000000-AddLoginLockoutAndAuditLog.js';
import { AddConversationOwners1764400000000 } from './migrations/1764400000000-AddConversationOwners.js';
import { AddConversationFlags1764500000000 } from './migrations/1764500000000-AddConversationFlags.js';
import { CreateMessagesAndSearch1764600000000 } from './migrations/1764600000000-CreateMessagesAndSearch.js';
import { CreateUploads1764700000000 } from './migrations/1764700000000-CreateUploads.js';
import { CreateInvitations1764800000000 } from './migrations/1764800000000-CreateInvitations.js';
import { AddConversationModelAndToolGrants1764900000000 } from './migrations/1764900000000-AddConversationModelAndToolGrants.js';

/** Listed, not globbed: the same list works from sources in tests and from the build. */
export const entities = [Conversation];
export const migrations = [CreateConversations1764000000000, CreateAccounts1764100000000, CreateApiKeys1764200000000, AddLoginLockoutAndAuditLog1764300000000, AddConversationOwners1764400000000, AddConversationFlags1764500000000, CreateMessagesAndSearch1764600000000, CreateUploads1764700000000, CreateInvitations1764800000000, AddConversationModelAndToolGrants1764900000000];

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    applicationName: 'dataflow-conversations',
    extra: { max: poolSize, connectionTimeoutMillis: 5_000 },
  };
}

/** Applies every pending migration; returns the names of those it applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, 1));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the last applied migration; returns its name, or undefined when none was applied. */
export async function revertLastMigration(url: string): Promise<string | undefined> {
  const dataSource = new DataSource(dataSourceOptions(url, 1));
  await dataSource.initialize();
  try {
    const [last] = await dataSource.query(`SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
    await dataSource.undoLastMigration();
    return last?.name;
  } finally {
    await dataSource.destroy();
  }
}
