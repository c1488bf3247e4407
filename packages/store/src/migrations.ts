import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';

/*
 * node-pg-migrate is ESM-only. Node ≥ 20.19 loads it through require(), and jest (which would
 * need experimental VM modules for a dynamic import) through Babel. It is loaded on first use: a
 * daemon only checks that the schema is current, and its ~8 MiB would sit in every copy process.
 */
const migrator = () =>
  require('node-pg-migrate') as typeof import('node-pg-migrate', {
    with: { 'resolution-mode': 'import' },
  });

/** The store package's directory, which migrate.json's paths are relative to. */
const packageDir = join(__dirname, '..');

/** What `npm run migrate` tells node-pg-migrate's CLI (migrate.json), read here so both migrate alike. */
interface CliSettings {
  'migrations-dir': string;
  'ignore-pattern': string;
  'advisory-lock-mode': 'wait' | 'fail';
}

const cliSettings = () =>
  JSON.parse(readFileSync(join(packageDir, 'migrate.json'), 'utf8')) as CliSettings;

/**
 * Applies pending migrations; returns the names of those applied. Instances starting together
 * are safe: each waits for node-pg-migrate's advisory lock.
 */
export async function runMigrations(
  databaseUrl: string,
  log: (message: string) => void = () => {},
): Promise<string[]> {
  const settings = cliSettings();
  const applied = await migrator().runner({
    databaseUrl,
    dir: migrationsDir(settings),
    ignorePattern: settings['ignore-pattern'],
    advisoryLockMode: settings['advisory-lock-mode'],
    migrationsTable: 'pgmigrations',
    direction: 'up',
    verbose: false,
    log,
  });
  return applied.map((migration) => migration.name);
}

const migrationsDir = (settings: CliSettings) => join(packageDir, settings['migrations-dir']);

/** A migration's timestamp, the number its file name starts with, which orders the migrations. */
const timestampOf = (name: string) => Number(/^\d+/.exec(name)?.[0] ?? Number.NaN);

/**
 * The last migration this code needs: the last file of the migrations directory in
 * node-pg-migrate's order (by timestamp), named as pgmigrations names it (no extension). Read
 * from the directory runMigrations applies, so a new migration is checked for as soon as it exists.
 */
export function latestMigration(): string {
  const settings = cliSettings();
  const ignored = new RegExp(`^${settings['ignore-pattern']}$`);
  const names = readdirSync(migrationsDir(settings))
    .filter((file) => !ignored.test(file))
    .map((file) => file.replace(/\.[^.]+$/, ''))
    .sort((a, b) => timestampOf(a) - timestampOf(b) || a.localeCompare(b));
  const last = names.at(-1);
  if (!last) throw new Error(`there is no migration in ${migrationsDir(settings)}`);
  return last;
}

/**
 * Throws unless the database has applied the latest migration: a database a newer Glint migrated
 * further is current too, one not migrated yet (or never) is not.
 */
export async function checkSchemaCurrent(db: Pick<Pool, 'query'>): Promise<void> {
  const needed = latestMigration();
  const { rows } = await db
    .query('SELECT 1 FROM pgmigrations WHERE name = $1', [needed])
    .catch((error: { code?: string }) => {
      // undefined_table: never migrated.
      if (error.code === '42P01') return { rows: [] };
      throw error;
    });
  if (rows.length === 0)
    throw new Error(`the database lacks migration ${needed}: run npm run migrate -w @glint/api`);
}
