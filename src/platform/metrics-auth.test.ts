import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../test/app.js';
import { loadConfig } from './config.js';
import { bearerMatches, buildHttpApp } from './http.js';

const TOKEN = 'scrape-0123456789abcdef';

describe('GET /metrics behind LOOPSHOP_METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ metricsToken: TOKEN });
  });
  afterAll(() => t.close());

  const scrape = (authorization?: string) => t.app.inject({ url: '/metrics', headers: authorization === undefined ? {} : { authorization } });

  it('refuses a scrape without the token or with a wrong one: 401 invalid_metrics_token in the error shape', async () => {
    for (const authorization of [undefined, '', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer wrong', TOKEN, `Basic ${TOKEN}`]) {
      const res = await scrape(authorization);
      expect([authorization, res.statusCode]).toEqual([authorization, 401]);
      expect(res.json()).toEqual({ error: { code: 'invalid_metrics_token', message: expect.any(String), details: null } });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).not.toContain('loopshop_http_requests_total');
    }
  });

  it('answers the Prometheus text to the right token', async () => {
    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE loopshop_http_requests_total counter');
    expect(res.body).toContain('loopshop_process_cpu_user_seconds_total');
    expect((await scrape(`bearer ${TOKEN}`)).statusCode).toBe(200);
  });

  it('keeps /metrics open when no token is set, and a production process says so once at startup', async () => {
    const open = await testApp();
    try {
      const res = await open.app.inject('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('loopshop_http_requests_total');
    } finally {
      await open.close();
    }

    const warnings = async (config: typeof t.config) => {
      const lines: string[] = [];
      const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
      const app = await buildHttpApp({ ctx: { ...t.app.ctx, config }, resolveSession: async () => null, logger: { level: 'warn', stream }, routes: [] });
      await app.close();
      return lines.filter((l) => l.includes('LOOPSHOP_METRICS_TOKEN'));
    };
    expect(await warnings({ ...t.config, production: true, metricsToken: undefined })).toHaveLength(1);
    expect(await warnings({ ...t.config, production: false, metricsToken: undefined })).toHaveLength(0);
    expect(await warnings({ ...t.config, production: true, metricsToken: TOKEN })).toHaveLength(0);
  });

  it('reads the token from the environment and refuses a weak one', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ LOOPSHOP_METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
    expect(loadConfig({ LOOPSHOP_METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(() => loadConfig({ LOOPSHOP_METRICS_TOKEN: 'short' })).toThrow(/LOOPSHOP_METRICS_TOKEN must be at least 16/);
    expect(() => loadConfig({ LOOPSHOP_METRICS_TOKEN: 'has a space in it, long enough' })).toThrow(/LOOPSHOP_METRICS_TOKEN/);
    expect(loadConfig({ NODE_ENV: 'development' }).production).toBe(false);
  });

  it('compares the bearer token exactly', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer  ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN} `, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
  });
});
