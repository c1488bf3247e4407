import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { latestMigration } from '../src/migrations';

test('latestMigration names the last migration file, so /readyz checks the schema the code needs', () => {
  const files = readdirSync(join(__dirname, '..', '..', '..', 'migrations'))
    .filter((file) => file.endsWith('.sql'))
    .sort();
  expect(`${latestMigration()}.sql`).toBe(files.at(-1));
});
