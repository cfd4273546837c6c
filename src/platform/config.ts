import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Runtime configuration, from the environment. Documented in README.md (Configuration). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  simulatedClock: boolean;
  seedDemo: boolean;
  webDist: string;
  signInRateLimit: { max: number; timeWindowMs: number };
  cookieSecure: boolean;
  sessionTtlDays: number;
  jobPollMs: number;
  bodyLimitBytes: number;
  /** Uploaded and processed media (videos, posters); served at /media. */
  mediaDir: string;
  /** Largest accepted video upload in bytes. */
  maxUploadBytes: number;
  ffmpegPath: string;
  ffprobePath: string;
}

/**
 * ffmpeg/ffprobe: the system's (Debian's `ffmpeg` package) when on PATH, else the static build
 * that `npm install` brings (@ffmpeg-installer, @ffprobe-installer), so a fresh clone works.
 */
function mediaTool(name: string, npmPackage: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return name;
  }
  try {
    return (createRequire(import.meta.url)(npmPackage) as { path: string }).path;
  } catch {
    return name;
  }
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const root = process.cwd();
  const dataDir = path.resolve(root, env.LOOPSHOP_DATA_DIR || './data');
  return {
    port: int(env.PORT, 3000, 'PORT'),
    host: env.HOST || '127.0.0.1',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    simulatedClock: bool(env.LOOPSHOP_SIMULATED_CLOCK, false),
    seedDemo: bool(env.LOOPSHOP_SEED_DEMO, true),
    webDist: path.resolve(root, env.LOOPSHOP_WEB_DIST || './web/dist'),
    signInRateLimit: {
      max: int(env.LOOPSHOP_SIGNIN_RATE_MAX, 10, 'LOOPSHOP_SIGNIN_RATE_MAX'),
      timeWindowMs: 60_000,
    },
    cookieSecure: bool(env.LOOPSHOP_COOKIE_SECURE, false),
    sessionTtlDays: int(env.LOOPSHOP_SESSION_TTL_DAYS, 30, 'LOOPSHOP_SESSION_TTL_DAYS'),
    jobPollMs: int(env.LOOPSHOP_JOB_POLL_MS, 1000, 'LOOPSHOP_JOB_POLL_MS'),
    bodyLimitBytes: int(env.LOOPSHOP_BODY_LIMIT, 1024 * 1024, 'LOOPSHOP_BODY_LIMIT'),
    mediaDir: env.LOOPSHOP_MEDIA_DIR ? path.resolve(root, env.LOOPSHOP_MEDIA_DIR) : path.join(dataDir, 'media'),
    maxUploadBytes: int(env.LOOPSHOP_MAX_UPLOAD_BYTES, 200 * 1024 * 1024, 'LOOPSHOP_MAX_UPLOAD_BYTES'),
    ffmpegPath: env.FFMPEG_PATH || mediaTool('ffmpeg', '@ffmpeg-installer/ffmpeg'),
    ffprobePath: env.FFPROBE_PATH || mediaTool('ffprobe', '@ffprobe-installer/ffprobe'),
    ...overrides,
  };
}
