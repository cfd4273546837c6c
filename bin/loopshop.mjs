#!/usr/bin/env node
// Entry point of `npm start` and the `loopshop` CLI: rebuilds when sources changed, then runs
// the compiled CLI (dist/cli.js).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIfStale } from '../scripts/build-if-stale.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.LOOPSHOP_SKIP_BUILD !== '1') buildIfStale();
await import(pathToFileURL(path.join(root, 'dist', 'cli.js')).href);
