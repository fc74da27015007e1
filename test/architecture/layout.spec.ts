import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layout rules of the README ("Code layout"), checked on the tree itself so they cannot quietly erode.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAX_LINES = 250;
const MAX_INJECTED = 6;
const INJECTABLE = new Set(['Injectable', 'Controller', 'Processor']);

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (path === join('libs', 'db', 'generated')) return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = [...sources('apps'), ...sources('libs')];
const parse = (path: string) =>
  ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.Latest, true);

/** Classes a Nest container builds, with how many constructor parameters it injects. */
function injectedCounts(source: ts.SourceFile): { name: string; count: number }[] {
  const found: { name: string; count: number }[] = [];
  source.forEachChild(function visit(node) {
    if (ts.isClassDeclaration(node)) {
      const decorators = ts.getDecorators(node) ?? [];
      const nest = decorators.some((d) => {
        const call = d.expression;
        return ts.isCallExpression(call) && INJECTABLE.has(call.expression.getText(source));
      });
      const constructor = node.members.find(ts.isConstructorDeclaration);
      if (nest && constructor) found.push({ name: node.name?.text ?? '?', count: constructor.parameters.length });
    }
    node.forEachChild(visit);
  });
  return found;
}

/** The libraries a library's files import (`#libs/x` or a relative path into ../x). */
function libraryGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  // Product code only: a test may exercise several libraries together.
  for (const file of files.filter((f) => f.startsWith('libs/') && !f.includes('spec.ts'))) {
    const lib = file.split('/')[1]!;
    const edges = graph.get(lib) ?? new Set<string>();
    graph.set(lib, edges);
    for (const statement of parse(file).statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
      const spec = statement.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      const target = spec.text.startsWith('#libs/')
        ? spec.text.slice('#libs/'.length).split('/')[0]!
        : spec.text.startsWith('.')
          ? relative('libs', join(file, '..', spec.text)).split('/')[0]!
          : null;
      if (target && target !== lib && !target.startsWith('..')) edges.add(target);
    }
  }
  return graph;
}

function cycleIn(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (lib: string): string[] | null => {
    if (state.get(lib) === 'done') return null;
    if (state.get(lib) === 'open') return [...path.slice(path.indexOf(lib)), lib];
    state.set(lib, 'open');
    path.push(lib);
    for (const next of graph.get(lib) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(lib, 'done');
    return null;
  };
  for (const lib of graph.keys()) {
    const cycle = visit(lib);
    if (cycle) return cycle;
  }
  return null;
}

describe('the code layout', () => {
  it(`keeps every file under apps/ and libs/ at ${MAX_LINES} lines or fewer`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it(`injects at most ${MAX_INJECTED} dependencies into any class`, () => {
    const heavy = files
      .filter((f) => !f.includes('spec.ts'))
      .flatMap((file) => injectedCounts(parse(file)).map((c) => ({ file, ...c })))
      .filter((c) => c.count > MAX_INJECTED);
    expect(heavy).toEqual([]);
  });

  it('has no cycle between libraries (one direction of dependencies)', () => {
    expect(cycleIn(libraryGraph())).toBeNull();
  });

  it("lists every library in the README's layout section, and nothing that is not there", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Code layout'));
    const listed = [...section.matchAll(/^\| `libs\/([a-z-]+)`/gm)].map((m) => m[1]);
    const present = readdirSync(join(ROOT, 'libs')).filter((name) => statSync(join(ROOT, 'libs', name)).isDirectory());
    expect(listed.sort()).toEqual(present.sort());
  });
});
