import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_FILES, generateContract } from '../../scripts/openapi.js';
import { testApp, type TestApp } from '../test/app.js';

// The web app is typed from web/src/api/{openapi.json,schema.d.ts}; they must match the server.
describe('generated web API contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => t.close());

  it('is up to date with the routes (run `npm run openapi` to regenerate)', async () => {
    const fresh = await generateContract(t.app);
    expect(readFileSync(CONTRACT_FILES.json, 'utf8') === fresh.json, 'web/src/api/openapi.json is stale: run npm run openapi').toBe(true);
    expect(readFileSync(CONTRACT_FILES.types, 'utf8') === fresh.types, 'web/src/api/schema.d.ts is stale: run npm run openapi').toBe(true);
  });
});
