import { writeSync } from 'node:fs';

/** What a buffer lets pile up before it writes (and at most how long a line waits: see LoggingModule). */
const BLOCK_CHARS = 64 * 1024;

/**
 * pino's destination for JSON lines: lines kept in memory and written to stdout in large blocks, at least every
 * second (LoggingModule) and when the process exits. Measured on the push read (a line per request, the API on a
 * core of its own): through pino's sonic-boom in 4 KB blocks the request line cost the read 20–35 µs, most of it in
 * starting each asynchronous write and in measuring the growing buffer on every line; here a line costs an array
 * push, and a block one synchronous write (stdout to a file or a pipe is synchronous on Linux anyway). A SIGKILL
 * loses up to the last second of lines, as before.
 */
export class LineBuffer {
  /** Every buffer of the process, flushed by one 'exit' listener (a test process boots many apps). */
  private static readonly open = new Set<LineBuffer>();
  private lines: string[] = [];
  private chars = 0;

  constructor(private readonly fd = 1) {
    if (LineBuffer.open.size === 0) process.once('exit', () => LineBuffer.open.forEach((buffer) => buffer.flush()));
    LineBuffer.open.add(this);
  }

  write(line: string): boolean {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= BLOCK_CHARS) this.flush();
    return true;
  }

  /** pino's `logger.flush(cb)` calls this. A write that fails loses its block, never the process. */
  flush(done?: (error?: Error) => void): void {
    if (this.lines.length > 0) {
      const text = this.lines.join('');
      this.lines = [];
      this.chars = 0;
      try {
        writeAll(this.fd, Buffer.from(text));
      } catch (error) {
        done?.(error as Error);
        return;
      }
    }
    done?.();
  }
}

/** stdout may be a non-blocking pipe: a write can be partial, or refused (EAGAIN) until the reader catches up. */
function writeAll(fd: number, block: Buffer): void {
  let offset = 0;
  for (let tries = 0; offset < block.length;) {
    try {
      offset += writeSync(fd, block, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++tries > 1000) throw error;
    }
  }
}
