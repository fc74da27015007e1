import { describe, expect, it } from 'vitest';
import { mayScrape } from './metrics.access.js';

describe('mayScrape', () => {
  it('lets anyone scrape without METRICS_TOKEN', () => {
    expect(mayScrape({ metricsToken: null }, undefined)).toBe(true);
  });

  it('wants the exact bearer token when METRICS_TOKEN is set', () => {
    const config = { metricsToken: 'scrape-token-0123456789' };
    expect(mayScrape(config, 'Bearer scrape-token-0123456789')).toBe(true);
    expect(mayScrape(config, 'bearer scrape-token-0123456789 ')).toBe(true);
    for (const header of [undefined, '', 'Bearer', 'Bearer scrape-token-012345678', 'Basic scrape-token-0123456789']) {
      expect(mayScrape(config, header), String(header)).toBe(false);
    }
  });
});
