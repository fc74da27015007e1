import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startStack } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig } from '../support/test-config.js';

const config = testConfig();
const port = await freePort();
let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  stack = await startStack(envOf(config, { MAILBOX_SIZE: '30', FANOUT_BATCH_SIZE: '25' }), port);
});
afterAll(async () => stack?.stop());

describe('the scripted client of the README against the running stack', () => {
  it('finds every timeline identical under push, pull and hybrid and equal to its history', () => {
    const result = spawnSync(
      process.execPath,
      [
        'scripts/verify-timelines.mjs',
        '--url',
        `http://127.0.0.1:${port}`,
        '--admin-token',
        ADMIN_TOKEN,
        '--users',
        '200',
        '--seed',
        '7',
        '--pages',
        '3',
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 170_000 },
    );
    console.log(result.stdout, result.stderr);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(summary.mismatches).toBe(0);
    expect(summary.checked).toBe(600);
    expect(summary.celebrities).toBeGreaterThan(0);
    expect(summary.sources['push/mailbox']).toBeGreaterThan(0);
  });
});
