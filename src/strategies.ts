import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { SandboxSecrets } from './platform/installation-secrets.js';
import type { MediaTools } from './platform/media.js';
import { SandboxCarrier, type Carriers } from './modules/fulfillment/index.js';
import { SandboxProvider, type Providers } from './modules/payments/index.js';
import { SandboxPayoutRail, type PayoutRail } from './modules/settlement/index.js';

/**
 * The pluggable parts of the platform (decision 022), built once here for the composition root
 * (src/app.ts) and handed down through `app.ctx.strategies` and the `register*Jobs` calls. No
 * route, service, job or script builds one (src/strategies.test.ts scans for it).
 */
export interface Strategies {
  /** Payment providers by name. Checkout charges new payments with the first; each answers for its own payments and webhooks. */
  payments: Providers;
  /** Carriers by name: a shipment or a return names one; each verifies its own webhooks. */
  carriers: Carriers;
  /** Where payouts go. */
  payoutRail: PayoutRail;
  /** The media processor: the ffmpeg and ffprobe the content pipeline runs. */
  media: MediaTools;
}

/** What a strategy may be built from: the clock it runs on, the installation's secrets, the configuration. */
export interface StrategyContext {
  clock: Clock;
  secrets: SandboxSecrets;
  config: Config;
}

/**
 * createApp's `strategies` option: replacements for some of the built-in ones, built on the clock
 * they are handed (called again for every clock the app needs them on, e.g. the demo history's).
 */
export type StrategiesOption = (ctx: StrategyContext) => Partial<Strategies>;

/** On the real clock the sandbox carrier scans its labels by itself at the configured pace; on a simulated clock only `simulate` plays plans. */
function sandboxAutoplay(ctx: StrategyContext): { hourMs: number } | null {
  const pace = ctx.config.sandboxCarrierPaceSeconds;
  return ctx.clock.simulated || pace <= 0 ? null : { hourMs: pace * 1000 };
}

/** The configured strategies: the given ones, else the built-in sandboxes from the installation's secrets and the configuration. */
export function buildStrategies(ctx: StrategyContext, option?: StrategiesOption): Strategies {
  const given = option?.(ctx) ?? {};
  return {
    payments: given.payments ?? new Map([['sandbox', new SandboxProvider(ctx.clock, ctx.secrets.payments)]]),
    carriers: given.carriers ?? new Map([['sandbox', new SandboxCarrier(ctx.clock, ctx.secrets.carrier, 'sandbox', sandboxAutoplay(ctx))]]),
    payoutRail: given.payoutRail ?? new SandboxPayoutRail(),
    media: given.media ?? { ffmpegPath: ctx.config.ffmpegPath, ffprobePath: ctx.config.ffprobePath },
  };
}

declare module './platform/http.js' {
  interface AppContext {
    /** The strategies on the app's clock (src/strategies.ts). */
    strategies: Strategies;
    /** The same strategies on another clock (the demo history walks its own). */
    strategiesOn(clock: Clock): Strategies;
  }
}
