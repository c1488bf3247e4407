/**
 * fast-check arbitraries for requests to the routes of an OpenAPI document: values that follow the
 * schemas, with some of their parts swapped for hostile ones (wrong types, control characters,
 * numbers no column holds, unknown fields), so most requests are invalid in one place only and a
 * few are valid. URLs and ids come from lists the caller gives, so no request reaches a host the
 * test does not choose.
 */
import fc, { type Arbitrary } from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
}

export interface Parameter {
  in: 'query' | 'path' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  /** The body's schema and the content types it may come in, when the route takes one. */
  body?: { schema: JsonSchema; contentTypes: string[] };
}

/** Where values that name something real come from. */
export interface Vocabulary {
  /** Absolute URLs, for `format: uri`. */
  urls: string[];
  /** Other URLs for fields of these names (and everything in them). */
  fieldUrls?: Record<string, string[]>;
  /** Ids of things that exist, used now and then for `format: uuid`. */
  ids: string[];
}

/** JSON numbers written as text, which no JavaScript number writes: too large, too precise, -0. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold RawNumbers. */
export function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** Text that has broken things before: control characters, lone surrogates, numbers in words. */
const hostileText = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '\u001b[31m',
  '\u0085',
  'line\nbreak',
  'tab\there',
  'Infinity',
  '-Infinity',
  'NaN',
  '1e308',
  '1e400',
  '-1',
  '9223372036854775808',
  '100000000000000000000',
  '0x10',
  '__proto__',
  'constructor',
  '%00',
  '%',
  "'; DROP TABLE sites; --",
  '../../etc/passwd',
  'file:///etc/passwd',
  'x'.repeat(300),
  'é'.repeat(200),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(
    new RawNumber('1e400'),
    new RawNumber('-1e400'),
    new RawNumber('9223372036854775808'),
    new RawNumber('100000000000000000000'),
    new RawNumber('1e-400'),
    new RawNumber('-0'),
    new RawNumber('0.5'),
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(-1, 2 ** 31, 2 ** 53, 2 ** 63, Number.MAX_VALUE),
);

/** A value of any JSON type, hostile ones favoured. */
export const hostileValue: Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileText },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], { '': null }) },
);

/** A value of `arbitrary` once in `n` times, else undefined. */
function oneIn<T>(n: number, arbitrary: Arbitrary<T>): Arbitrary<T | undefined> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

/** Strings of the schema's length, without control characters most of the time. */
function text(schema: JsonSchema): Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
  );
}

function matching(pattern: string): Arbitrary<string> | undefined {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return undefined;
  }
}

function stringOf(schema: JsonSchema, words: Vocabulary): Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.oneof(
        { weight: 3, arbitrary: fc.uuid() },
        ...(words.ids.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...words.ids) }] : []),
      );
    case 'uri':
      return fc.constantFrom(...words.urls);
    case 'date-time':
      return fc
        .date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true })
        .map((date) => date.toISOString());
  }
  // Patterns that only exclude characters are met by most text; the others (regions, key ids,
  // ARNs) are generated to match.
  const shaped = schema.pattern && !schema.pattern.startsWith('^[^') && matching(schema.pattern);
  return shaped ? fc.oneof(shaped, text(schema)) : text(schema);
}

function integerOf(schema: JsonSchema): Arbitrary<number> {
  const min = Math.max(schema.minimum ?? -1e6, -Number.MAX_SAFE_INTEGER);
  const max = Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER);
  return fc.oneof(fc.integer({ min, max: Math.min(max, min + 1000) }), fc.constantFrom(min, max));
}

/** A value following `schema`, with now and then one part of it hostile. */
export function valueOf(schema: JsonSchema, words: Vocabulary, depth = 0): Arbitrary<unknown> {
  return fc.oneof(
    { weight: 7, arbitrary: followed(schema, words, depth) },
    { weight: 1, arbitrary: hostileValue },
  );
}

function followed(schema: JsonSchema, words: Vocabulary, depth: number): Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => followed(s, words, depth)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema, words);
    case 'integer':
      return integerOf(schema);
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
      if (depth > 4) return fc.constant([]);
      return fc.array(valueOf(schema.items ?? {}, words, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, words, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(
  schema: JsonSchema,
  words: Vocabulary,
  depth: number,
): Arbitrary<Record<string, unknown>> {
  if (depth > 4) return fc.constant({});
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(properties).map(([name, property]) =>
    fc
      .tuple(
        // Required fields are left out now and then; optional ones half the time.
        fc.integer({ min: 0, max: required.has(name) ? 19 : 1 }),
        valueOf(
          property,
          words.fieldUrls?.[name] ? { ...words, urls: words.fieldUrls[name] } : words,
          depth + 1,
        ),
      )
      .map(([keep, value]) => (keep === 0 ? [] : [[name, value] as const])),
  );
  const unknown = oneIn(12, fc.tuple(fc.string({ maxLength: 12 }), hostileValue));
  return fc.tuple(fc.tuple(...fields), unknown).map(([present, extra]) => {
    const value: Record<string, unknown> = Object.fromEntries(present.flat());
    if (extra) Object.defineProperty(value, extra[0], { value: extra[1], enumerable: true });
    return value;
  });
}

/**
 * `text` percent-encoded for a URL. A lone surrogate, which encodeURIComponent refuses, is written
 * as the three bytes WTF-8 gives it: not UTF-8, and so one more thing for the server to refuse.
 */
function percentEncoded(text: string): string {
  return [...text]
    .map((char) => {
      const code = char.charCodeAt(0);
      if (char.length === 1 && code >= 0xd800 && code <= 0xdfff)
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`)
          .join('');
      return encodeURIComponent(char);
    })
    .join('');
}

/** A query string value as the URL carries it: the value's text, or raw, hostile text. */
function queryText(schema: JsonSchema, words: Vocabulary): Arbitrary<string> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: followed(schema, words, 1).map((value) =>
        percentEncoded(typeof value === 'string' ? value : JSON.stringify(value)),
      ),
    },
    { weight: 2, arbitrary: hostileText.map(percentEncoded) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%00', '%ff%fe', '1e308', 'Infinity') },
  );
}

/** The query string of a request to `operation`, parameters repeated where they are lists. */
export function queryOf(operation: Operation, words: Vocabulary): Arbitrary<string> {
  const parameters = operation.parameters.filter((p) => p.in === 'query');
  const pairs = parameters.map((parameter) => {
    const list = parameter.schema.type === 'array';
    const values = list
      ? fc.array(queryText(parameter.schema.items ?? {}, words), { maxLength: 3 })
      : queryText(parameter.schema, words).map((value) => [value]);
    // Required parameters are left out now and then; optional ones half the time.
    const left = parameter.required ? oneIn(12, fc.constant([])) : oneIn(2, fc.constant([]));
    return fc
      .tuple(values, left)
      .map(([chosen, leftOut]) => (leftOut ?? chosen).map((value) => `${parameter.name}=${value}`));
  });
  const extra = oneIn(
    8,
    fc.tuple(fc.constantFrom('offset', 'limit', 'x', '__proto__', 'a[b]'), queryText({}, words)),
  );
  return fc
    .tuple(fc.tuple(...pairs), extra)
    .map(([chosen, more]) =>
      [...chosen.flat(), ...(more ? [`${more[0]}=${more[1]}`] : [])].join('&'),
    );
}

/** The path with each `{name}` filled: an id of the vocabulary, another id, or hostile text. */
export function pathOf(operation: Operation, words: Vocabulary): Arbitrary<string> {
  const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const segment = fc.oneof(
    { weight: 2, arbitrary: fc.uuid() },
    ...(words.ids.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...words.ids) }] : []),
    { weight: 1, arbitrary: hostileText.filter((t) => t !== '').map(percentEncoded) },
  );
  return fc
    .tuple(...names.map(() => segment))
    .map((values) =>
      names.reduce((path, name, i) => path.replace(`{${name}}`, values[i]!), operation.path),
    );
}

/** The operations of an OpenAPI document. */
export function operationsOf(document: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
}): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const content = operation.requestBody?.content ?? {};
      const contentTypes = Object.keys(content);
      return {
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        ...(contentTypes.length > 0 && {
          body: { schema: content[contentTypes[0]!]!.schema, contentTypes },
        }),
      };
    }),
  );
}
