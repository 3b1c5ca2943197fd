import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddConversationOwners1764400000000 implements MigrationInterface {
  name = 'AddConversationOwners1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Conversations made before accounts existed have no owner: nobody lists or opens them.
    await queryRunner.query(`ALTER TABLE conversations ADD COLUMN owner_id uuid REFERENCES users (id) ON DELETE CASCADE`);
    await queryRunner.query(`CREATE INDEX conversations_owner_newest_idx ON conversations (owner_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX conversations_owner_newest_idx`);
    await queryRunner.query(`ALTER TABLE conversations DROP COLUMN owner_id`);
  }
}
