import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invitations to register while REGISTRATION=invite: one use each, stored as a token hash, optionally for one email. */
export class CreateInvitations1764800000000 implements MigrationInterface {
  name = 'CreateInvitations1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL UNIQUE,
        email varchar(254),
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'member')),
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        used_by uuid REFERENCES users (id) ON DELETE SET NULL
      )`);
    await queryRunner.query(`CREATE INDEX invitations_created_idx ON invitations (created_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE invitations`);
  }
}
