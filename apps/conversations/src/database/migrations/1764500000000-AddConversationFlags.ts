import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddConversationFlags1764500000000 implements MigrationInterface {
  name = 'AddConversationFlags1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE conversations ADD COLUMN pinned boolean NOT NULL DEFAULT false, ADD COLUMN archived boolean NOT NULL DEFAULT false`);
    // The purge of soft-deleted conversations looks them up by when they were deleted.
    await queryRunner.query(`CREATE INDEX conversations_deleted_idx ON conversations (deleted_at) WHERE deleted_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX conversations_deleted_idx`);
    await queryRunner.query(`ALTER TABLE conversations DROP COLUMN archived, DROP COLUMN pinned`);
  }
}
