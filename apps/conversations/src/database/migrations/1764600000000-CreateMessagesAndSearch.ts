import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages, one row each, in the order they were written (`seq`), with a parent for branching.
 * Conversations list by last activity. Titles and message text are searchable (English
 * stemming; a tsvector kept by Postgres, under a GIN index).
 */
export class CreateMessagesAndSearch1764600000000 implements MigrationInterface {
  name = 'CreateMessagesAndSearch1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE conversations ADD COLUMN active_at timestamptz`);
    await queryRunner.query(`UPDATE conversations SET active_at = updated_at`);
    await queryRunner.query(`ALTER TABLE conversations ALTER COLUMN active_at SET NOT NULL, ALTER COLUMN active_at SET DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE conversations ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', title)) STORED`);
    await queryRunner.query(`DROP INDEX conversations_owner_newest_idx`);
    await queryRunner.query(`CREATE INDEX conversations_owner_active_idx ON conversations (owner_id, active_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await queryRunner.query(`CREATE INDEX conversations_search_idx ON conversations USING GIN (search)`);
    await queryRunner.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        parent_id uuid REFERENCES messages (id) ON DELETE SET NULL,
        role varchar(16) NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
        status varchar(16) NOT NULL CHECK (status IN ('streaming', 'complete', 'error', 'cancelled')),
        parts jsonb NOT NULL,
        text text NOT NULL DEFAULT '',
        model varchar(200),
        usage jsonb,
        timing jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (to_tsvector('english', left(text, 100000))) STORED
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX messages_conversation_seq_idx ON messages (conversation_id, seq)`);
    await queryRunner.query(`CREATE INDEX messages_parent_idx ON messages (parent_id) WHERE parent_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX messages_search_idx ON messages USING GIN (search)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE messages`);
    await queryRunner.query(`DROP INDEX conversations_search_idx`);
    await queryRunner.query(`DROP INDEX conversations_owner_active_idx`);
    await queryRunner.query(`CREATE INDEX conversations_owner_newest_idx ON conversations (owner_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await queryRunner.query(`ALTER TABLE conversations DROP COLUMN search, DROP COLUMN active_at`);
  }
}
