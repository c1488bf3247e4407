import { LineCounter, parseDocument, type Document } from 'yaml';
import Ajv, { type ErrorObject } from 'ajv';
import { CliError } from './errors';
import type { TSchema } from './typebox';

/** A problem of a file at a path in its data (the line is looked up from it). */
export interface PathProblem {
  path: (string | number)[];
  text: string;
}

/** A YAML file checked against its schema: its data, and the line each path is written on. */
export interface CheckedYaml<T> {
  data: T;
  lineOf(path: (string | number)[]): number;
}

export interface YamlFileKind<T> {
  schema: TSchema;
  /** "a placements file", "a rule file": what the error message says the file is not. */
  what: string;
  /** Where the format is described, for the error message's last line. */
  seeAlso: string;
  /** Checks beyond the schema's, on data the schema passed. */
  check?: (data: T) => PathProblem[];
}

const compiled = new WeakMap<TSchema, ReturnType<Ajv['compile']>>();
const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * Parses a YAML file and checks it against `kind`'s schema and checks; every problem is reported
 * at once, each with its line.
 */
export function parseYamlFile<T>(
  text: string,
  file: string,
  kind: YamlFileKind<T>,
): CheckedYaml<T> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOfOffset = (offset: number) => lines.linePos(offset).line;
  const at = (path: (string | number)[]) => lineOf(doc, lineOfOffset, path);
  const problems: { line: number; text: string }[] = [];
  for (const error of doc.errors) {
    // Errors found at the end of the text (an unclosed bracket, say) belong to its last written line.
    const offset = Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1));
    problems.push({ line: lineOfOffset(offset), text: `not valid YAML: ${error.message}` });
  }
  if (problems.length === 0) {
    const data: unknown = doc.toJS();
    const found = schemaProblems(kind.schema, data);
    if (found.length === 0 && kind.check) found.push(...kind.check(data as T));
    for (const problem of found) {
      const where = problem.path.length ? problem.path.join('.') : 'the file';
      problems.push({ line: at(problem.path), text: `${where}: ${problem.text}` });
    }
  }
  if (problems.length > 0) {
    throw new CliError(
      `${file} is not ${kind.what}:\n${problems
        .sort((a, b) => a.line - b.line)
        .map((p) => `  ${file}:${p.line}: ${p.text}`)
        .join('\n')}\nSee ${kind.seeAlso} for the format.`,
    );
  }
  return { data: doc.toJS() as T, lineOf: at };
}

/**
 * The schema's complaints, one per place. A value that fits none of a union's shapes gets the
 * union's description of what it may be, from the innermost union that rejected it, instead of
 * each shape's own complaint.
 */
function schemaProblems(schema: TSchema, data: unknown): PathProblem[] {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  if (validate(data)) return [];
  const errors: ErrorObject[] = validate.errors ?? [];
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const kept = errors.filter((error) => {
    if (error.keyword !== 'anyOf')
      return !unions.some((u) => error.instancePath.startsWith(u.instancePath));
    // Of nested unions, the one nearest the bad value, and of those at one place the outermost.
    return !unions.some(
      (u) =>
        (u.instancePath.length > error.instancePath.length &&
          u.instancePath.startsWith(error.instancePath)) ||
        (u.instancePath === error.instancePath && u.schemaPath.length < error.schemaPath.length),
    );
  });
  const byPlace = new Map<string, PathProblem>();
  for (const error of kept) {
    const path: (string | number)[] = error.instancePath
      .split('/')
      .slice(1)
      .map((part) =>
        /^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~'),
      );
    const text = problemText(schema, error, path);
    const key = `${path.join('.')}:${text}`;
    if (!byPlace.has(key)) byPlace.set(key, { path, text });
  }
  return [...byPlace.values()];
}

/** What an Ajv error says, in the file's words; an unknown key is added to `path`. */
function problemText(schema: TSchema, error: ErrorObject, path: (string | number)[]): string {
  switch (error.keyword) {
    case 'anyOf': {
      const union = schemaAt(schema, error.schemaPath.replace(/\/anyOf$/, ''));
      return `must be ${union?.description ?? 'one of the allowed shapes'}`;
    }
    case 'additionalProperties': {
      const extra = String(error.params.additionalProperty);
      path.push(extra);
      return `unknown key "${extra}": remove it`;
    }
    case 'required':
      return `"${String(error.params.missingProperty)}" is missing`;
    case 'pattern': {
      const described = schemaAt(schema, error.schemaPath.replace(/\/pattern$/, ''));
      return described?.description ? `must be ${described.description}` : error.message!;
    }
    default:
      return error.message ?? 'is not allowed here';
  }
}

function schemaAt(schema: TSchema, pointer: string): { description?: string } | undefined {
  let node: unknown = schema;
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return node as { description?: string } | undefined;
}

/** The line a path is written on, or its nearest written parent's; 1 for the document. */
function lineOf(
  doc: Document,
  lineOfOffset: (offset: number) => number,
  path: (string | number)[],
): number {
  for (let length = path.length; length > 0; length--) {
    const node = doc.getIn(path.slice(0, length), true) as
      { range?: [number, number, number] } | undefined;
    if (node?.range) return lineOfOffset(node.range[0]);
    // A key whose value is missing or unknown: the key itself.
    const parent = length > 1 ? doc.getIn(path.slice(0, length - 1), true) : doc.contents;
    const pair = (
      parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null
    )?.items?.find((item) => item.key?.value === path[length - 1]);
    if (pair?.key?.range) return lineOfOffset(pair.key.range[0]);
  }
  return 1;
}
