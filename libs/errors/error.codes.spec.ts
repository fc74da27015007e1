import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationFailedError } from './domain.errors.js';
import { codeForStatus, ERROR_CODES, type ErrorCode } from '#libs/contract';
import { toErrorBody } from './http-error.filter.js';

const catalogue = Object.entries(ERROR_CODES) as [ErrorCode, (typeof ERROR_CODES)[ErrorCode]][];

/** The rows of the README's "### Errors" table: code, status and meaning, as written. */
function readmeErrorTable(): string[][] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('\n### Errors\n')[1]!.split(/\n#{2,3} /)[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('the error catalogue', () => {
  it("is the README's error table: every client-facing code, its status and meaning", () => {
    const expected = catalogue
      .filter(([, entry]) => !('internal' in entry))
      .map(([code, entry]) => [`\`${code}\``, String(entry.status), entry.meaning]);
    expect(readmeErrorTable()).toEqual(expected);
  });

  it('gives each status one code of its own; narrower codes share the status of the code they narrow', () => {
    const own = catalogue.filter(([, entry]) => !('narrows' in entry)).map(([, entry]) => entry.status);
    expect(new Set(own).size).toBe(own.length);
    for (const [code, entry] of catalogue) {
      if ('narrows' in entry) expect(ERROR_CODES[entry.narrows].status, code).toBe(entry.status);
    }
  });

  it('maps a bare status to its own code, never to a narrower one', () => {
    expect(codeForStatus(400)).toBe('VALIDATION_FAILED');
    expect(codeForStatus(415)).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(codeForStatus(418)).toBe('BAD_REQUEST');
    expect(codeForStatus(500)).toBe('INTERNAL');
  });

  it('gives domain errors the status of their code', () => {
    expect(toErrorBody(new ValidationFailedError('long', 'POST_TOO_LONG'))).toEqual({
      statusCode: 400,
      code: 'POST_TOO_LONG',
      message: 'long',
    });
    expect(toErrorBody(new NotFoundError('gone')).statusCode).toBe(404);
    expect(toErrorBody(new Error('secret')).message).not.toContain('secret');
  });
});
