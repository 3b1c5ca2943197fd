import { ConversationsEnv, loadConfig, requireVariables } from '@dataflow/shared';
import { revertLastMigration, runMigrations } from './data-source.js';

/** `npm run migrate` applies pending migrations; `npm run migrate -- --revert` undoes the last one. */
async function main(): Promise<void> {
  const config = loadConfig(ConversationsEnv);
  requireVariables(config, ['DATABASE_URL'], 'to run migrations');
  if (process.argv.includes('--revert')) {
    const reverted = await revertLastMigration(config.DATABASE_URL!);
    console.log(reverted ? `Reverted ${reverted}` : 'No migration to revert');
    return;
  }
  const applied = await runMigrations(config.DATABASE_URL!);
  console.log(applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date');
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
