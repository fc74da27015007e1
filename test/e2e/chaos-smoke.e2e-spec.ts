import { describe, expect, it } from 'vitest';
import { runScript } from '#libs/contract';

// `npm run chaos` as CI can afford it: half a minute of faults under load, ending with nothing lost, doubled or
// pending and every timeline equal to pull's (the tool's exit code says so; its summary is checked too).

describe('npm run chaos, briefly', () => {
  it('ends with 0 lost, 0 duplicated, 0 pending and every timeline matching', async () => {
    const output = await runScript('dist/loadtest/chaos/chaos.cli.js', {}, [
      '--duration-seconds',
      '35',
      '--users',
      '15',
      '--seed',
      String(Date.now() % 2 ** 31),
    ]);
    expect(output).toMatch(/faults injected: .*×/);
    expect(output).toMatch(/lost 0, duplicated 0; events pending 0; timelines checked 30, differing from pull 0/);
  }, 240_000);
});
