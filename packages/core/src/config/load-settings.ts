import { Compile, type Static, type TSchema } from '../typebox';
import { retiredSettings } from './settings';

/** A setting missing or malformed; the message names it and what it should be. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Environment = Record<string, string | undefined>;

interface SettingSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  enum?: unknown[];
  default?: unknown;
  expected?: string;
  secret?: boolean;
}

interface ObjectSchema extends TSchema {
  properties: Record<string, TSchema>;
  required?: string[];
}

/**
 * Reads the settings of `schema` (one of `ApiSettings`, `DaemonSettings`) from the environment:
 * blank counts as unset, unset takes the default, text is read as the setting's type. Throws one
 * ConfigError naming every setting at fault.
 */
export function loadSettings<Schema extends ObjectSchema>(
  schema: Schema,
  environment: Environment,
): Static<Schema> {
  const settings: Record<string, unknown> = {};
  const problems: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties)) {
    const spec = property as SettingSchema;
    const text = environment[name]?.trim();
    if (!text) {
      if (spec.default !== undefined) settings[name] = spec.default;
      else if (required.has(name)) problems.push(`${name} is not set`);
      continue;
    }
    const value = typed(spec, text);
    if (Compile(property).Check(value)) settings[name] = value;
    else problems.push(malformed(name, spec, text));
  }
  for (const [name, replacement] of Object.entries(retiredSettings))
    if (environment[name]?.trim()) problems.push(`${name} is no longer read: ${replacement}`);
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return settings as Static<Schema>;
}

/**
 * Runs a check a schema cannot express (a keyring, a list of networks) and turns its failure into
 * a ConfigError naming the setting.
 */
export function checkSetting<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError(message.includes(name) ? message : `${name}: ${message}`);
  }
}

/** A comma-separated setting's items, trimmed, without empty ones. */
export function settingList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function typed(spec: SettingSchema, text: string): unknown {
  if (spec.type === 'integer' && /^[+-]?\d+$/.test(text)) return Number(text);
  if (spec.type === 'boolean' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  return text;
}

function malformed(name: string, spec: SettingSchema, text: string): string {
  const expected = describe(spec);
  return spec.secret
    ? `${name} is not ${expected}`
    : `${name} is "${shown(text)}", not ${expected}`;
}

function describe(spec: SettingSchema): string {
  if (spec.expected) return spec.expected;
  if (spec.enum) return `one of ${spec.enum.join(', ')}`;
  if (spec.type === 'boolean') return 'true or false';
  if (spec.type === 'integer') {
    const { minimum: min, maximum: max } = spec;
    if (min !== undefined && max !== undefined) return `a whole number from ${min} to ${max}`;
    if (min === 1) return 'a positive whole number';
    if (min !== undefined) return `a whole number of at least ${min}`;
    return 'a whole number';
  }
  if (spec.minLength !== undefined) return `at least ${spec.minLength} characters long`;
  return 'valid';
}

/** The value as an error may repeat it: a password inside a URL is masked. */
function shown(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)[^/@]*@/i, '$1***@');
}
