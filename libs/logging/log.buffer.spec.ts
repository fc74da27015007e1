import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
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

/** A named pipe opened non-blocking at both ends, as stdout is when its reader is another process's pipe. */
function pipeBuffer(maxWaitingChars?: number) {
  dir = mkdtempSync(join(tmpdir(), 'line-buffer-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const chunk = Buffer.alloc(64 * 1024);
  /** Everything the pipe holds now. */
  const read = () => {
    let text = '';
    for (;;) {
      try {
        const n = readSync(reader, chunk);
        if (n === 0) return text;
        text += chunk.subarray(0, n).toString('utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return text;
        throw error;
      }
    }
  };
  const close = () => [reader, writer].forEach((fd) => closeSync(fd));
  return { buffer: new LineBuffer(writer, maxWaitingChars), read, close, writer };
}

describe('LineBuffer on a pipe whose reader falls behind', () => {
  const line = (i: number) => `{"n":${i},"pad":"${'x'.repeat(1000)}"}\n`;

  it('keeps what the full pipe did not take and writes it, in order, as fast as the reader reads', async () => {
    const { buffer, read, close } = pipeBuffer();
    const all = Array.from({ length: 1000 }, (_, i) => line(i)).join('');
    // About 1 MB into a pipe that holds 64 KB: the writes stop at EAGAIN, nothing throws, nothing is lost.
    for (let i = 0; i < 1000; i++) buffer.write(line(i));
    let failure: Error | undefined;
    buffer.flush((error) => (failure = error));
    expect(failure).toBeUndefined();
    let got = read();
    expect(got.length).toBeLessThan(all.length);
    // No flush calls (and no once-a-second timer here): only the buffer's own retries can let the rest out.
    const started = Date.now();
    while (got.length < all.length && Date.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      got += read();
    }
    expect(got).toBe(all);
    close();
  });

  it('never lets another buffer on the same fd cut a waiting line in two', async () => {
    const { buffer, read, close, writer } = pipeBuffer();
    const other = new LineBuffer(writer);
    for (let i = 0; i < 200; i++) buffer.write(line(i));
    buffer.flush();
    for (let i = 200; i < 300; i++) other.write(line(i));
    // The pipe is empty again while the first buffer still holds the rest of a line it began.
    let got = read();
    other.flush();
    for (let i = 0; i < 100 && got.split('\n').length <= 300; i++) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      got += read();
      other.flush();
    }
    const numbers = got
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { n: number }).n);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    close();
  });

  it('drops the newest lines past its bound while the pipe takes nothing, and says how many', () => {
    const { buffer, read, close } = pipeBuffer(200 * 1024);
    for (let i = 0; i < 1000; i++) buffer.write(line(i));
    buffer.flush();
    let got = '';
    for (let i = 0; i < 100; i++) {
      got += read();
      buffer.flush();
    }
    got += read();
    const lines = got.trimEnd().split('\n');
    const notice = lines.find((l) => l.includes('log lines dropped'));
    expect(notice).toBeDefined();
    const dropped = Number(/(\d+) log lines dropped/.exec(notice!)![1]);
    expect(dropped).toBeGreaterThan(0);
    const kept = lines.filter((l) => l !== notice).map((l) => (JSON.parse(l) as { n: number }).n);
    // Every line not dropped arrives once, in order, and the dropped ones are the ones missing.
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(kept.length + dropped).toBe(1000);
    expect(JSON.parse(notice!)).toMatchObject({ level: 40, context: 'LineBuffer' });
    close();
  });
});
