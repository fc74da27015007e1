import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_FLAGS, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('uses local defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.defaultFlags).toEqual(DEFAULT_FLAGS);
    expect(config.envFlags).toEqual({});
  });

  it('reads flags given in the environment', () => {
    const config = loadConfig({ TIMELINE_STRATEGY: 'push', CELEBRITY_THRESHOLD: '50', MAILBOX_SIZE: '100' });
    expect(config.envFlags).toEqual({ strategy: 'push', celebrityThreshold: 50, mailboxSize: 100 });
    expect(config.defaultFlags.strategy).toBe('push');
  });

  it('names every bad flag and why', () => {
    let error: unknown;
    try {
      loadConfig({ TIMELINE_STRATEGY: 'fanout', CELEBRITY_THRESHOLD: '-3', PORT: 'eighty' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('TIMELINE_STRATEGY="fanout"');
    expect(message).toMatch(/push.*pull.*hybrid/);
    expect(message).toContain('CELEBRITY_THRESHOLD="-3"');
    expect(message).toContain('PORT="eighty"');
  });

  it('refuses the published or a guessable admin token in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/not the published default/);
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(40) })).toThrow(/10 of them different/);
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'abcdefghijkl' })).toThrow(/at least 32/);
    const strong = 'q3Zr8Vt1mK9xLp2Ws7Hd4Nb6Jc0Yf5Ge';
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: strong }).production).toBe(true);
    // Outside production the local default stays convenient.
    expect(loadConfig({}).adminTokenIsDefault).toBe(true);
  });

  it('bounds every dependency call by default and takes overrides', () => {
    expect(loadConfig({}).timeouts).toEqual({
      dbConnectMs: 2000,
      dbStatementMs: 5000,
      redisCommandMs: 1000,
      requestMs: 10_000,
      healthCheckMs: 1000,
      shutdownGraceMs: 10_000,
    });
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '250' }).timeouts.dbStatementMs).toBe(250);
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow(/REDIS_COMMAND_TIMEOUT_MS/);
  });
});
