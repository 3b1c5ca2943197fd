// Once per test run: a template database with every migration applied, which each test file
// clones (CREATE DATABASE … TEMPLATE). Uses the build, which `npm test` makes first.
import pg from 'pg';
import { runMigrations } from '../dist/apps/conversations/src/database/data-source.js';

export default async function globalSetup() {
  const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `dfc_template_${process.pid}`;
  const client = new pg.Client({ connectionString: admin });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`The tests need Postgres at ${admin} (set TEST_DATABASE_URL): ${error.message}`);
  }
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  process.env.DFC_TEST_TEMPLATE_DB = name;
}
