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
});
