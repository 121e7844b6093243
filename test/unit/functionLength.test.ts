/**
 * Every function in src/ stays short enough to read in one screen: at most 80 lines, a long one
 * split into named steps. Read with the TypeScript compiler's own parser, so a function is
 * whatever TypeScript says it is (declarations, methods, arrows, function expressions).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const MAX_LINES = 80;
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Each function of a file with its length in lines, named as a reader would find it. */
function functionsOf(file: string): { where: string; lines: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { where: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const parent = node.parent;
      const named = ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) ? parent.name.getText() : '(anonymous)';
      const name = node.name?.getText() ?? named;
      found.push({ where: `${relative(ROOT, file)}:${first + 1} ${name}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('functions in src/', () => {
  const all = sourceFiles(SRC).flatMap(functionsOf);

  it('reads every function', () => {
    expect(all.length).toBeGreaterThan(500);
  });

  it(`has none over ${MAX_LINES} lines`, () => {
    expect(all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.where} (${f.lines} lines)`)).toEqual([]);
  });
});
