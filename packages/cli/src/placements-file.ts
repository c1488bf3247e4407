import { LineCounter, parseDocument, type Document } from 'yaml';
import { CliError } from './errors';
import Ajv, { type ErrorObject } from 'ajv';
import { Type, type Static, type TSchema } from './typebox';

/**
 * The placements file of `glint plan -f` / `glint apply -f` (see examples/placements.yaml):
 *
 *   placements:
 *     - images: "cirros-*"          # a name pattern or id, or a list of them
 *       sites: [{ type: openstack }, "eu-*"]
 *   force: false
 */
const Pattern = Type.String({ minLength: 1, maxLength: 255 });

const SiteSelector = Type.Union(
  [
    Pattern,
    Type.Object({ name: Pattern }, { additionalProperties: false }),
    Type.Object({ type: Pattern }, { additionalProperties: false }),
  ],
  { description: 'a site name pattern or id, { name: pattern } or { type: site type }' },
);

const Placement = Type.Object(
  {
    images: Type.Union([Pattern, Type.Array(Pattern, { minItems: 1 })], {
      description: 'an image name pattern or id, or a list of them',
    }),
    sites: Type.Union([SiteSelector, Type.Array(SiteSelector)], {
      description: 'a site selector or a list of them ([] for none)',
    }),
  },
  { additionalProperties: false },
);

export const PlacementsFileSchema = Type.Object(
  {
    placements: Type.Array(Placement, { minItems: 1 }),
    force: Type.Optional(
      Type.Boolean({ description: 'true to delete even the last copy of an image anywhere' }),
    ),
  },
  { additionalProperties: false },
);
type PlacementsFileData = Static<typeof PlacementsFileSchema>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(PlacementsFileSchema);

export type SiteSelector = { name: string } | { type: string };

/** A selector with the line it is written on, for messages about it. */
export interface Located<T> {
  value: T;
  line: number;
}

export interface PlacementRule {
  line: number;
  images: Located<string>[];
  sites: Located<SiteSelector>[];
}

export interface PlacementsSpec {
  file: string;
  rules: PlacementRule[];
  force: boolean;
}

/** Parses and checks a placements file; every problem is reported with its line. */
export function parsePlacementsFile(text: string, file: string): PlacementsSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOfOffset = (offset: number) => lines.linePos(offset).line;
  const problems: { line: number; text: string }[] = [];
  for (const error of doc.errors) {
    // Errors found at the end of the text (an unclosed bracket, say) belong to its last written line.
    const offset = Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1));
    problems.push({ line: lineOfOffset(offset), text: `not valid YAML: ${error.message}` });
  }
  if (problems.length === 0) {
    const data: unknown = doc.toJS();
    for (const problem of schemaProblems(data)) {
      problems.push({
        line: lineOf(doc, lineOfOffset, problem.path),
        text: `${problem.where}: ${problem.text}`,
      });
    }
  }
  if (problems.length > 0) {
    throw new CliError(
      `${file} is not a valid placements file:\n${problems
        .sort((a, b) => a.line - b.line)
        .map((p) => `  ${file}:${p.line}: ${p.text}`)
        .join('\n')}\nSee examples/placements.yaml for the format.`,
    );
  }
  const data = doc.toJS() as PlacementsFileData;
  const at = (path: (string | number)[]) => lineOf(doc, lineOfOffset, path);
  const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
  const rules = data.placements.map((placement, i): PlacementRule => {
    const imagesPath = ['placements', i, 'images'];
    const sitesPath = ['placements', i, 'sites'];
    return {
      line: at(['placements', i]),
      images: list(placement.images).map((value, j) => ({
        value,
        line: at(Array.isArray(placement.images) ? [...imagesPath, j] : imagesPath),
      })),
      sites: list(placement.sites).map((value, j) => ({
        value: typeof value === 'string' ? { name: value } : value,
        line: at(Array.isArray(placement.sites) ? [...sitesPath, j] : sitesPath),
      })),
    };
  });
  return { file, rules, force: data.force ?? false };
}

interface SchemaProblem {
  path: (string | number)[];
  where: string;
  text: string;
}

/**
 * The schema's complaints, one per place. A value that fits none of a union's shapes gets the
 * union's description of what it may be, from the innermost union that rejected it, instead of
 * each shape's own complaint.
 */
function schemaProblems(data: unknown): SchemaProblem[] {
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
  const byPlace = new Map<string, SchemaProblem>();
  for (const error of kept) {
    const path: (string | number)[] = error.instancePath
      .split('/')
      .slice(1)
      .map((part) =>
        /^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~'),
      );
    let text = error.message ?? 'is not allowed here';
    if (error.keyword === 'anyOf') {
      const schema = schemaAt(PlacementsFileSchema, error.schemaPath.replace(/\/anyOf$/, ''));
      text = `must be ${schema?.description ?? 'one of the allowed shapes'}`;
    } else if (error.keyword === 'additionalProperties') {
      const extra = String(error.params.additionalProperty);
      text = `unknown key "${extra}": remove it`;
      path.push(extra);
    } else if (error.keyword === 'required') {
      text = `"${String(error.params.missingProperty)}" is missing`;
    }
    const where = path.length ? path.join('.') : 'the file';
    const key = `${where}:${text}`;
    if (!byPlace.has(key)) byPlace.set(key, { path, where, text });
  }
  return [...byPlace.values()];
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
