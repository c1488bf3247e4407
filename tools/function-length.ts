/**
 * The guide's "functions ≤ 80 lines", checked on the TypeScript syntax tree of every package's
 * sources: each function, method, arrow and constructor counted from its first line to its last,
 * the functions inside it included (a factory returning a repository's queries is one function of
 * all their lines). tools/function-length.test.ts fails on any over the limit; run this file to
 * list the longest:
 *
 *   bash deploy/node24 npx ts-node -P tsconfig.test.json tools/function-length.ts [limit]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const functionLineLimit = 80;

export interface FunctionLength {
  file: string;
  /** The name it is known by: its own, or the variable, property or call it is given to. */
  name: string;
  line: number;
  lines: number;
}

const root = join(__dirname, '..');

/** Every .ts source file under packages/<package>/src. */
export function sourceFiles(): string[] {
  const packages = join(root, 'packages');
  return readdirSync(packages).flatMap((name) =>
    walk(join(packages, name, 'src')).filter((file) => file.endsWith('.ts')),
  );
}

function walk(directory: string): string[] {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) =>
    entry.isDirectory() ? walk(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
    return parent.name.getText(source);
  if (ts.isCallExpression(parent)) return `(argument of ${parent.expression.getText(source)})`;
  if (ts.isExportAssignment(parent)) return '(default export)';
  return '(anonymous)';
}

/** Every function of one file, with its length in lines. */
export function functionLengths(file: string): FunctionLength[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({
        file: relative(root, file),
        name: nameOf(node as ts.FunctionLikeDeclaration, source),
        line: first + 1,
        lines: last - first + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The functions of every package's sources longer than `limit` lines, longest first. */
export function longFunctions(limit = functionLineLimit): FunctionLength[] {
  return sourceFiles()
    .flatMap(functionLengths)
    .filter((found) => found.lines > limit)
    .sort((a, b) => b.lines - a.lines);
}

if (require.main === module) {
  const limit = Number(process.argv[2] ?? functionLineLimit);
  for (const { file, name, line, lines } of longFunctions(limit))
    console.log(`${String(lines).padStart(4)}  ${file}:${line}  ${name}`);
}
