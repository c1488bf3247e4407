import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LATEST_MIGRATION } from '../src/migrations';

test('LATEST_MIGRATION names the last migration file, so /readyz checks the schema the code needs', () => {
  const files = readdirSync(join(__dirname, '..', '..', '..', 'migrations'))
    .filter((file) => file.endsWith('.sql'))
    .sort();
  expect(`${LATEST_MIGRATION}.sql`).toBe(files.at(-1));
});
