import { writeSync } from 'node:fs';

/** What a buffer lets pile up before it writes (and at most how long a line waits: see LoggingModule). */
const BLOCK_CHARS = 64 * 1024;
/**
 * What a buffer keeps (in characters, and bytes the pipe refused) while stdout takes nothing (a stalled log
 * collector); newer lines beyond it are dropped.
 */
const MAX_WAITING_CHARS = 8 * 1024 * 1024;
/** How soon a buffer tries again after a full pipe refused it. */
const RETRY_MS = 10;
/** How long an exiting process waits for a full stdout to take its last lines (all buffers together). */
const EXIT_WAIT_MS = 2000;

/**
 * pino's destination for JSON lines: lines kept in memory and written to stdout in large blocks, at least every
 * second (LoggingModule) and when the process exits. Measured on the push read (a line per request, the API on a
 * core of its own): through pino's sonic-boom in 4 KB blocks the request line cost the read 20–35 µs, most of it in
 * starting each asynchronous write and in measuring the growing buffer on every line; here a line costs an array
 * push, and a block one synchronous write (stdout to a file or a pipe is synchronous on Linux anyway). A SIGKILL
 * loses up to the last second of lines, as before.
 *
 * stdout may be a non-blocking pipe whose reader falls behind: a write is then partial or refused (EAGAIN). What the
 * pipe did not take waits, in order, for a retry 10 ms later, instead of the process spinning on it or losing the block;
 * past MAX_WAITING_CHARS newer lines are dropped and counted, and a line says how many once the pipe takes data again.
 */
export class LineBuffer {
  /** Every buffer of the process, flushed by one 'exit' listener (a test process boots many apps). */
  private static readonly open = new Set<LineBuffer>();
  /**
   * Per fd, the buffer whose block the pipe took only part of: no other buffer writes there until it is out, or a
   * line would be cut in two by another buffer's block.
   */
  private static readonly holders = new Map<number, LineBuffer>();
  private lines: string[] = [];
  private chars = 0;
  /** The part of a block the pipe has not taken yet: written before anything newer. */
  private unwritten: Buffer | null = null;
  private dropped = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly fd = 1,
    private readonly maxWaitingChars = MAX_WAITING_CHARS,
  ) {
    if (LineBuffer.open.size === 0) process.once('exit', () => LineBuffer.drainAll(Date.now() + EXIT_WAIT_MS));
    LineBuffer.open.add(this);
  }

  write(line: string): boolean {
    const blocked = LineBuffer.holders.has(this.fd);
    if (blocked && this.chars + (this.unwritten?.length ?? 0) >= this.maxWaitingChars) {
      this.dropped += 1;
      return true;
    }
    this.lines.push(line);
    this.chars += line.length;
    // While the pipe is full the retry timer tries again: a try per line would be a write call per line.
    if (this.chars >= BLOCK_CHARS && !blocked) this.flush();
    return true;
  }

  /** pino's `logger.flush(cb)` calls this. A write that fails loses its block, never the process. */
  flush(done?: (error?: Error) => void): void {
    try {
      this.writeOut();
    } catch (error) {
      done?.(error as Error);
      return;
    }
    done?.();
  }

  /** Bytes waiting for a full pipe, then the lines since, as far as the pipe takes them now. */
  private writeOut(): void {
    const holder = LineBuffer.holders.get(this.fd);
    if (holder && holder !== this) return;
    try {
      if (this.unwritten) {
        const rest = this.unwritten;
        // Lost if the write fails: a broken stdout must not hold every later line behind it.
        this.unwritten = null;
        this.unwritten = writeSome(this.fd, rest);
      }
      if (this.unwritten || this.lines.length === 0) return;
      // The dropped lines came after the waiting ones: the line that counts them goes after those.
      const text = this.lines.join('') + (this.dropped > 0 ? droppedLine(this.dropped) : '');
      this.lines = [];
      this.chars = 0;
      this.dropped = 0;
      this.unwritten = writeSome(this.fd, Buffer.from(text));
    } finally {
      this.holdWhileWaiting();
    }
  }

  /**
   * Holds the fd while bytes wait, and tries again soon: waiting for the once-a-second flush would let out only a
   * pipe's worth (64 KB) a second however fast the reader reads.
   */
  private holdWhileWaiting(): void {
    if (!this.unwritten) {
      if (LineBuffer.holders.get(this.fd) === this) LineBuffer.holders.delete(this.fd);
      return;
    }
    LineBuffer.holders.set(this.fd, this);
    this.retry ??= setTimeout(() => {
      this.retry = undefined;
      this.flush();
    }, RETRY_MS).unref();
  }

  /** At exit: everything, waiting a little for a full pipe (a reader that never reads must not hold the exit). */
  private static drainAll(deadline: number): void {
    for (;;) {
      for (const buffer of LineBuffer.open) buffer.flush();
      const waiting = [...LineBuffer.open].some((buffer) => buffer.unwritten || buffer.lines.length > 0);
      if (!waiting || Date.now() >= deadline) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** What the pipe did not take of `block` (null when it took all); an error other than a full pipe is thrown. */
function writeSome(fd: number, block: Buffer): Buffer | null {
  let offset = 0;
  while (offset < block.length) {
    try {
      offset += writeSync(fd, block, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return block.subarray(offset);
      throw error;
    }
  }
  return null;
}

/** Where lines went missing, in pino's format at warn. */
function droppedLine(count: number): string {
  const msg = `${count} log lines dropped: stdout took nothing while the lines before them waited`;
  return `${JSON.stringify({ level: 40, time: new Date().toISOString(), pid: process.pid, context: 'LineBuffer', msg })}\n`;
}
