/**
 * A PostgreSQL database of a test file's own, created and migrated to the latest schema, so files
 * run side by side without seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runMigrations } from '@glint/store';

const postgres = 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, whoever is still connected to it. */
  drop(): Promise<void>;
}

export async function migratedDatabase(): Promise<TestDatabase> {
  const name = `glint_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: `${postgres}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const drop = async () => {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  };
  const url = `${postgres}/${name}`;
  try {
    await runMigrations(url);
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url, drop };
}
