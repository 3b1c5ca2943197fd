import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddLoginLockoutAndAuditLog1764300000000 implements MigrationInterface {
  name = 'AddLoginLockoutAndAuditLog1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz`);
    // Kept when the actor's account goes: the log outlives what it records.
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
        action varchar(64) NOT NULL,
        target varchar(200),
        ip varchar(64),
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC)`);
    await queryRunner.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_log`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN locked_until, DROP COLUMN failed_logins`);
  }
}
