import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allSettings } from '@glint/core';

const example = readFileSync(join(__dirname, '..', 'glint.env.example'), 'utf8');
/** `NAME=value` lines, commented out (`#NAME=`: the default) or not (required: to fill in). */
const entries = [...example.matchAll(/^(#?)(GLINT_[A-Z_]+)=(.*)$/gm)].map(
  ([, hash, name, value]) => ({
    name: name!,
    required: hash === '',
    value: value!,
  }),
);

test('the example environment file lists exactly the settings the schema knows, once each', () => {
  const names = entries.map((entry) => entry.name);
  expect(names.length).toBe(new Set(names).size);
  expect([...names].sort()).toEqual(Object.keys(allSettings).sort());
});

test('each is documented, required ones are left to fill in, and the others show their default', () => {
  for (const { name, required, value } of entries) {
    const schema = allSettings[name] as {
      default?: unknown;
      description: string;
      '~optional'?: boolean;
    };
    expect(example).toContain(`# ${schema.description}`);
    if (required) {
      expect([name, value, schema.default]).toEqual([name, '', undefined]);
      expect(example).toMatch(new RegExp(`\\) Required\\.\\n${name}=\\n`));
    } else {
      expect([name, value]).toEqual([name, String(schema.default ?? '')]);
    }
  }
});
