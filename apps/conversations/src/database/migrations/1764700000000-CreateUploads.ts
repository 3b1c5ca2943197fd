import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files users upload into their data folder: who owns each, what it is, where it lies (relative to
 * the owner's folder) and when it came. `seq` orders the history, newest first; the sizes add up
 * to the owner's quota use.
 */
export class CreateUploads1764700000000 implements MigrationInterface {
  name = 'CreateUploads1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE uploads (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name varchar(255) NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        sha256 char(64) NOT NULL,
        mime_type varchar(100) NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('csv', 'tsv', 'xlsx', 'parquet', 'json', 'ndjson', 'sqlite', 'txt', 'md')),
        storage_path varchar(1024) NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX uploads_owner_seq_idx ON uploads (owner_id, seq DESC) INCLUDE (size)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE uploads`);
  }
}
