import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The contract is loaded by outside tools (the load suite, the tests), so what it drags in matters: this walks its
// static import graph from index.ts, through every relative import and re-export, and checks that the only packages
// reached are the allowed ones and that no product file is reached. eslint.config.js forbids direct imports in
// libs/contract; this also catches one that sneaks in through a relative path.

const ALLOWED = ['hdr-histogram-js', 'ioredis', 'zod'];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

/** Every module a file imports or re-exports, type-only and dynamic imports included. */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** `@scope/name` or `name`, without a subpath; node built-ins as `node:`. */
function packageOf(specifier: string): string {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return 'node:';
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** The files reached from `entry` and, for each package reached, the files that import it. */
function walk(entry: string): { files: string[]; packages: Map<string, string[]> } {
  const files = new Set<string>();
  const packages = new Map<string, string[]>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of specifiers(file)) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${file} imports ${specifier}, which is not a TypeScript source`);
        visit(target);
      } else {
        const name = packageOf(specifier);
        packages.set(name, [...(packages.get(name) ?? []), relative(ROOT, file)]);
      }
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages };
}

const notAllowed = (packages: Map<string, string[]>) =>
  [...packages].filter(([name]) => name !== 'node:' && !ALLOWED.includes(name)).map(([name, by]) => `${name} (${by})`);

describe('libs/contract', () => {
  const { files, packages } = walk(INDEX);

  it('reaches no package but zod, hdr-histogram-js, ioredis and node built-ins', () => {
    expect(notAllowed(packages)).toEqual([]);
    expect([...packages.keys()].filter((p) => p !== 'node:').sort()).toEqual(ALLOWED);
  });

  it('reaches into no product library (they import it, never the other way round)', () => {
    expect(files.filter((f) => !f.startsWith('libs/contract/'))).toEqual([]);
  });

  it('would see a framework import behind a re-export (the walk itself is not vacuous)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-walk-'));
    try {
      writeFileSync(join(dir, 'index.ts'), "export * from './inner.js';\n");
      writeFileSync(join(dir, 'inner.ts'), "import type { Type } from '@nestjs/common';\nexport type T = Type;\n");
      expect(notAllowed(walk(join(dir, 'index.ts')).packages)).toEqual([
        `@nestjs/common (${relative(ROOT, join(dir, 'inner.ts'))})`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
