import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineBuffer } from './log.buffer.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function fileBuffer() {
  dir = mkdtempSync(join(tmpdir(), 'line-buffer-'));
  const path = join(dir, 'out.log');
  const fd = openSync(path, 'a');
  return { buffer: new LineBuffer(fd), read: () => readFileSync(path, 'utf8'), close: () => closeSync(fd) };
}

describe('LineBuffer', () => {
  it('keeps lines until flushed, then writes them all, in order', () => {
    const { buffer, read, close } = fileBuffer();
    buffer.write('{"a":1}\n');
    buffer.write('{"b":"µ"}\n');
    expect(read()).toBe('');
    let flushed = false;
    buffer.flush(() => (flushed = true));
    expect(flushed).toBe(true);
    expect(read()).toBe('{"a":1}\n{"b":"µ"}\n');
    buffer.flush();
    expect(read()).toBe('{"a":1}\n{"b":"µ"}\n');
    close();
  });

  it('writes a block by itself once 64 KB are waiting', () => {
    const { buffer, read, close } = fileBuffer();
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 63; i++) buffer.write(line);
    expect(read()).toBe('');
    buffer.write(line);
    expect(read()).toBe(line.repeat(64));
    close();
  });

  it('reports a write that fails to the flush callback instead of throwing', () => {
    const { buffer, close } = fileBuffer();
    close();
    buffer.write('lost\n');
    let failure: Error | undefined;
    buffer.flush((error) => (failure = error));
    expect((failure as NodeJS.ErrnoException | undefined)?.code).toBe('EBADF');
  });
});
