import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import path from 'node:path';

export interface RateLimit {
  max: number;
  timeWindowMs: number;
}

/** Runtime configuration, from the environment. Documented in README.md (Configuration). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  simulatedClock: boolean;
  seedDemo: boolean;
  /** With the demo seed, also 90 days of synthetic events and orders (src/demo/history.ts). */
  demoHistory: boolean;
  webDist: string;
  /** Sign-in attempts per window per account email (normalized as sign-in looks it up), from any address. */
  signInRateLimit: RateLimit;
  /** Sign-in attempts per window per client address, whatever the email. */
  signInAddressRateLimit: RateLimit;
  /** Sign-ups per window per client address. */
  signUpRateLimit: RateLimit;
  /** Checkouts per window per signed-in user (per address when signed out). */
  checkoutRateLimit: RateLimit;
  /** Analytics event batches per window per user, else per device id, else per address. */
  eventsRateLimit: RateLimit;
  /**
   * Which peers' X-Forwarded-For/-Proto are believed (Fastify trustProxy): false (nobody, the
   * default) or the operator's proxies as addresses/CIDRs/`loopback`/`linklocal`/`uniquelocal`,
   * comma-separated. Rate limits key on the resulting address, so a client must never be trusted.
   */
  trustProxy: false | string;
  /** Browser origins allowed to call the API cross-origin (CORS); empty: CORS off. */
  corsOrigins: string[];
  /** Mark the session cookie Secure always; it is Secure anyway on requests that arrived over https. */
  cookieSecure: boolean;
  sessionTtlDays: number;
  jobPollMs: number;
  /** Live rooms re-read their state this often even without a notification (stock sold elsewhere, missed messages). */
  liveRefreshMs: number;
  bodyLimitBytes: number;
  /** Uploaded and processed media (videos, posters); served at /media. */
  mediaDir: string;
  /** Largest accepted video upload in bytes. */
  maxUploadBytes: number;
  ffmpegPath: string;
  ffprobePath: string;
  /** NODE_ENV=production: the production secrets are required (assertProductionSecrets). */
  production: boolean;
  /**
   * Bearer token that `GET /metrics` requires (`Authorization: Bearer <token>`); unset: /metrics
   * is open to anyone who can reach the server (a production process warns at startup).
   */
  metricsToken: string | undefined;
  /**
   * LOOPSHOP_SANDBOX_WEBHOOK_SECRET / LOOPSHOP_SANDBOX_CARRIER_SECRET: the sandbox providers'
   * webhook signing secrets. Unset (outside production): the installation generates its own at
   * first start and keeps it in the database (src/platform/installation-secrets.ts).
   */
  sandboxWebhookSecret: string | undefined;
  sandboxCarrierSecret: string | undefined;
  /**
   * LOOPSHOP_SANDBOX_CARRIER_PACE: real seconds one hour of a sandbox carrier plan takes when the
   * server runs on the real clock (default 5: an `on_time` parcel is delivered about 4 minutes after
   * its label). The carrier then scans every label it issues by itself; 0 turns that off. On a
   * simulated clock plans keep their hours and only `simulate` plays them.
   */
  sandboxCarrierPaceSeconds: number;
  /**
   * LOOPSHOP_SHIP_BY_WARNING_HOURS: a paid order's seller is told this long before its ship-by
   * time that it is not shipped yet (default 12; at most a quarter of the market's ship window).
   */
  shipByWarningHours: number;
  /** Email for notifications (LOOPSHOP_SMTP_*); unset: in-app notifications only. */
  smtp: SmtpConfig | undefined;
  /** The web app's address, for links in emails (LOOPSHOP_PUBLIC_URL; default http://HOST:PORT). */
  publicUrl: string;
}

export interface SmtpConfig {
  host: string;
  port: number;
  /** Both or neither: the SMTP login. */
  user: string | undefined;
  password: string | undefined;
  /** The sender, e.g. `Loopshop <no-reply@shop.example.com>`. */
  from: string;
}

/** LOOPSHOP_SMTP_HOST turns email on; the port defaults to 587, the sender to no-reply@<host>. */
function smtp(env: NodeJS.ProcessEnv): SmtpConfig | undefined {
  const host = env.LOOPSHOP_SMTP_HOST;
  if (!host) return undefined;
  return {
    host,
    port: int(env.LOOPSHOP_SMTP_PORT, 587, 'LOOPSHOP_SMTP_PORT'),
    user: env.LOOPSHOP_SMTP_USER || undefined,
    password: env.LOOPSHOP_SMTP_PASSWORD || undefined,
    from: env.LOOPSHOP_SMTP_FROM || `Loopshop <no-reply@${host}>`,
  };
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

/** A non-negative decimal number (e.g. `0.5`). */
function decimal(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n)) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return n;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * LOOPSHOP_TRUST_PROXY: the proxies whose X-Forwarded-For/-Proto are believed. Default none: a
 * client that could set X-Forwarded-For would pick its own rate-limit address. `true` (believe
 * anyone) is refused for the same reason; list the proxies instead.
 */
function proxyTrust(value: string | undefined): false | string {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === 'none') return false;
  const list = v.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of list) {
    const [addr = '', bits, extra] = p.split('/');
    const family = isIP(addr);
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
    if (!(PROXY_RANGES.has(p) || (family !== 0 && prefixOk && extra === undefined))) {
      throw new Error(`LOOPSHOP_TRUST_PROXY takes the addresses or CIDRs of your proxies (or loopback, linklocal, uniquelocal), comma-separated; got "${p}"`);
    }
  }
  return list.join(',');
}

/** `a, b` → ['a', 'b']; every entry must be a bare origin (scheme://host[:port]). */
function origins(value: string | undefined): string[] {
  const list = (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of list) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new Error(`LOOPSHOP_CORS_ORIGINS takes origins like https://shop.example.com, got "${o}"`);
  }
  return list;
}

/** A bearer token: unset, or at least 16 printable characters without spaces (never echoed back). */
function bearerToken(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[\x21-\x7e]{16,}$/.test(value)) throw new Error(`${name} must be at least 16 printable ASCII characters without spaces`);
  return value;
}

/**
 * The sandbox providers' webhook secrets come from the environment; where they are unset outside
 * production, each installation generates its own at first start (never a value published in the
 * source). A production process (NODE_ENV=production) refuses to start without configured ones.
 */
export const REQUIRED_PRODUCTION_SECRETS = ['LOOPSHOP_SANDBOX_WEBHOOK_SECRET', 'LOOPSHOP_SANDBOX_CARRIER_SECRET'] as const;

export function assertProductionSecrets(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV !== 'production') return;
  const missing = REQUIRED_PRODUCTION_SECRETS.filter((name) => (env[name] ?? '').length < 16);
  if (missing.length > 0) {
    throw new Error(`NODE_ENV=production needs ${missing.join(' and ')} (at least 16 characters each); generated secrets are for development installations only`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  assertProductionSecrets(env);
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
    demoHistory: bool(env.LOOPSHOP_DEMO_HISTORY, true),
    webDist: path.resolve(root, env.LOOPSHOP_WEB_DIST || './web/dist'),
    signInRateLimit: {
      max: int(env.LOOPSHOP_SIGNIN_RATE_MAX, 10, 'LOOPSHOP_SIGNIN_RATE_MAX'),
      timeWindowMs: 60_000,
    },
    signInAddressRateLimit: { max: int(env.LOOPSHOP_SIGNIN_ADDRESS_RATE_MAX, 30, 'LOOPSHOP_SIGNIN_ADDRESS_RATE_MAX'), timeWindowMs: 60_000 },
    signUpRateLimit: { max: int(env.LOOPSHOP_SIGNUP_RATE_MAX, 10, 'LOOPSHOP_SIGNUP_RATE_MAX'), timeWindowMs: 3_600_000 },
    checkoutRateLimit: { max: int(env.LOOPSHOP_CHECKOUT_RATE_MAX, 20, 'LOOPSHOP_CHECKOUT_RATE_MAX'), timeWindowMs: 60_000 },
    eventsRateLimit: { max: int(env.LOOPSHOP_EVENTS_RATE_MAX, 120, 'LOOPSHOP_EVENTS_RATE_MAX'), timeWindowMs: 60_000 },
    corsOrigins: origins(env.LOOPSHOP_CORS_ORIGINS),
    trustProxy: proxyTrust(env.LOOPSHOP_TRUST_PROXY),
    cookieSecure: bool(env.LOOPSHOP_COOKIE_SECURE, false),
    sessionTtlDays: int(env.LOOPSHOP_SESSION_TTL_DAYS, 30, 'LOOPSHOP_SESSION_TTL_DAYS'),
    jobPollMs: int(env.LOOPSHOP_JOB_POLL_MS, 1000, 'LOOPSHOP_JOB_POLL_MS'),
    liveRefreshMs: int(env.LOOPSHOP_LIVE_REFRESH_MS, 5000, 'LOOPSHOP_LIVE_REFRESH_MS'),
    bodyLimitBytes: int(env.LOOPSHOP_BODY_LIMIT, 1024 * 1024, 'LOOPSHOP_BODY_LIMIT'),
    mediaDir: env.LOOPSHOP_MEDIA_DIR ? path.resolve(root, env.LOOPSHOP_MEDIA_DIR) : path.join(dataDir, 'media'),
    maxUploadBytes: int(env.LOOPSHOP_MAX_UPLOAD_BYTES, 200 * 1024 * 1024, 'LOOPSHOP_MAX_UPLOAD_BYTES'),
    ffmpegPath: env.FFMPEG_PATH || mediaTool('ffmpeg', '@ffmpeg-installer/ffmpeg'),
    ffprobePath: env.FFPROBE_PATH || mediaTool('ffprobe', '@ffprobe-installer/ffprobe'),
    production: env.NODE_ENV === 'production',
    metricsToken: bearerToken(env.LOOPSHOP_METRICS_TOKEN, 'LOOPSHOP_METRICS_TOKEN'),
    sandboxWebhookSecret: env.LOOPSHOP_SANDBOX_WEBHOOK_SECRET || undefined,
    sandboxCarrierSecret: env.LOOPSHOP_SANDBOX_CARRIER_SECRET || undefined,
    sandboxCarrierPaceSeconds: decimal(env.LOOPSHOP_SANDBOX_CARRIER_PACE, 5, 'LOOPSHOP_SANDBOX_CARRIER_PACE'),
    shipByWarningHours: decimal(env.LOOPSHOP_SHIP_BY_WARNING_HOURS, 12, 'LOOPSHOP_SHIP_BY_WARNING_HOURS'),
    smtp: smtp(env),
    publicUrl: (env.LOOPSHOP_PUBLIC_URL || `http://${env.HOST || '127.0.0.1'}:${env.PORT || 3000}`).replace(/\/+$/, ''),
    ...overrides,
  };
}
