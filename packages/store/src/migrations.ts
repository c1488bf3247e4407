import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// node-pg-migrate is ESM-only. Node ≥ 20.19 loads it through require(), and jest (which would
// need experimental VM modules for a dynamic import) through Babel.
const { runner } = require('node-pg-migrate') as typeof import('node-pg-migrate', {
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

/**
 * Applies pending migrations; returns the names of those applied. Instances starting together
 * are safe: each waits for node-pg-migrate's advisory lock.
 */
export async function runMigrations(
  databaseUrl: string,
  log: (message: string) => void = () => {},
): Promise<string[]> {
  const settings = JSON.parse(
    readFileSync(join(packageDir, 'migrate.json'), 'utf8'),
  ) as CliSettings;
  const applied = await runner({
    databaseUrl,
    dir: join(packageDir, settings['migrations-dir']),
    ignorePattern: settings['ignore-pattern'],
    advisoryLockMode: settings['advisory-lock-mode'],
    migrationsTable: 'pgmigrations',
    direction: 'up',
    verbose: false,
    log,
  });
  return applied.map((migration) => migration.name);
}
