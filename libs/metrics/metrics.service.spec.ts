import { describe, expect, it } from 'vitest';
import { decodeHistogram, SERIES } from '#libs/contract';
import { MetricsService } from './metrics.service.js';

describe('MetricsService.httpRequest', () => {
  it('counts every answer by status, times only answered ones by strategy, and shows both in either view', async () => {
    const metrics = new MetricsService('api');
    metrics.httpRequest('GET', '/v1/me/timeline', 'push', 200, 1500);
    metrics.httpRequest('GET', '/v1/me/timeline', 'push', 200, 2500);
    metrics.httpRequest('GET', '/v1/me/timeline', 'hybrid', 200, 4000);
    metrics.httpRequest('GET', '/v1/me/timeline', 'push', 429, 300);

    const { counters, histograms } = metrics.snapshot();
    const responses = counters.filter((c) => c.name === SERIES.httpResponses);
    expect(responses).toEqual([
      { name: SERIES.httpResponses, labels: { method: 'GET', route: '/v1/me/timeline', status: '200' }, value: 3 },
      { name: SERIES.httpResponses, labels: { method: 'GET', route: '/v1/me/timeline', status: '429' }, value: 1 },
    ]);
    const timed = histograms.filter((h) => h.name === SERIES.httpRequest);
    const counts = Object.fromEntries(timed.map((h) => [h.labels.strategy, decodeHistogram(h.histogram).totalCount]));
    expect(counts).toEqual({ push: 2, hybrid: 1 });

    const scrape = await metrics.prometheus();
    expect(scrape).toMatch(
      /fanout_http_responses_total\{method="GET",route="\/v1\/me\/timeline",status="200",role="api"\} 3/,
    );
    expect(scrape).toMatch(/fanout_http_responses_total\{[^}]*status="429"[^}]*\} 1/);
    expect(scrape).toMatch(/fanout_http_request_duration_seconds_count\{[^}]*strategy="push"[^}]*\} 2/);
    expect(scrape).toMatch(/fanout_http_request_duration_seconds_count\{[^}]*strategy="hybrid"[^}]*\} 1/);
  });
});
