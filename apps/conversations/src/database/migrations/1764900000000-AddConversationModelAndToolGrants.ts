import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chat model a conversation remembers, and tool grants: a user's remembered approval of a
 * tool that is not read-only, in one conversation or (conversation_id null) in all of them.
 */
export class AddConversationModelAndToolGrants1764900000000 implements MigrationInterface {
  name = 'AddConversationModelAndToolGrants1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE conversations ADD COLUMN model text`);
    // NULLS NOT DISTINCT: one "always" grant per user and tool, as one grant per conversation.
    await queryRunner.query(`
      CREATE TABLE tool_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE,
        tool text NOT NULL CHECK (length(tool) <= 300),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tool_grants_user_tool_conversation_key UNIQUE NULLS NOT DISTINCT (user_id, tool, conversation_id)
      )`);
    await queryRunner.query(`CREATE INDEX tool_grants_user_newest_idx ON tool_grants (user_id, created_at DESC)`);
    // Deleting or purging a conversation finds its grants by it.
    await queryRunner.query(`CREATE INDEX tool_grants_conversation_idx ON tool_grants (conversation_id) WHERE conversation_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tool_grants`);
    await queryRunner.query(`ALTER TABLE conversations DROP COLUMN model`);
  }
}
