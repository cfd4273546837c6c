import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import type { JobRunner } from '../platform/jobs.js';
import { ffmpeg, filterValue } from '../platform/media.js';
import { insertVideo, processVideo, setShowcase, type MediaConfig } from '../modules/content/index.js';

/**
 * Demo videos: ~12 short vertical clips rendered by ffmpeg from test patterns with the product
 * title drawn on them, anchored to demo products, so the feed is alive on first start. The
 * rows are inserted `processing` by the seed; a job per video renders it after the server
 * listens and then runs the normal processing (faststart MP4, poster, duration).
 */
export const DEMO_VIDEO_JOB = 'content.generate_demo_video';
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

export interface DemoProduct {
  id: string;
  title: string;
  shop_id: string;
}

/**
 * The demo videos: caption (`#tutorial` tags the tutorials), which demo shop's products they
 * anchor (index into the shops in the order their products come), and when they were posted
 * in that shop's time zone (ISO weekday, hour, weeks back) when the demo gets its history.
 * Tutorials posted on Friday at 20:00 are the ones that complete and convert best (src/demo/history.ts).
 */
export const DEMO_VIDEOS: Array<{ caption: (title: string) => string; shop: number; slot: { weekday: number; hour: number; weeksAgo: number } }> = [
  { caption: (t) => `Friday 20:00 tutorial: setting up the ${t} in 60 s #tutorial`, shop: 0, slot: { weekday: 5, hour: 20, weeksAgo: 6 } },
  { caption: (t) => `Unboxing the ${t} — first impressions, no filter`, shop: 0, slot: { weekday: 6, hour: 11, weeksAgo: 10 } },
  { caption: (t) => `How to pack the ${t} for a weekend trip #tutorial`, shop: 0, slot: { weekday: 5, hour: 20, weeksAgo: 2 } },
  { caption: (t) => `Is the ${t} worth it? Honest review after a month`, shop: 0, slot: { weekday: 3, hour: 18, weeksAgo: 4 } },
  { caption: (t) => `Quick tip: how I use the ${t} every morning #tutorial`, shop: 0, slot: { weekday: 2, hour: 12, weeksAgo: 8 } },
  { caption: (t) => `Rainy day test of the ${t} (it went better than expected)`, shop: 0, slot: { weekday: 7, hour: 15, weeksAgo: 1 } },
  { caption: (t) => `Three things nobody tells you about the ${t} #tutorial`, shop: 1, slot: { weekday: 5, hour: 20, weeksAgo: 5 } },
  { caption: (t) => `Side by side: the ${t} against the usual suspects`, shop: 1, slot: { weekday: 1, hour: 19, weeksAgo: 7 } },
  { caption: (t) => `Gift idea under the tree this year: the ${t}`, shop: 1, slot: { weekday: 4, hour: 21, weeksAgo: 3 } },
  { caption: (t) => `Brewing the ${t} the gongfu way, step by step #tutorial`, shop: 2, slot: { weekday: 5, hour: 20, weeksAgo: 9 } },
  { caption: (t) => `Behind the scenes at the shop: packing a ${t}`, shop: 2, slot: { weekday: 6, hour: 10, weeksAgo: 6 } },
  { caption: (t) => `Before and after: a week with the ${t}`, shop: 2, slot: { weekday: 3, hour: 9, weeksAgo: 2 } },
];

export const isTutorial = (caption: string): boolean => /(^|\s)#tutorial\b/i.test(caption);

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** ISO weekday (Monday = 1) and hour of an instant in a time zone. */
export function localSlot(at: Date, timeZone: string): { weekday: number; hour: number } {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' })));
  const parts = f.formatToParts(at);
  const part = (t: string) => parts.find((p) => p.type === t)!.value;
  return { weekday: WEEKDAYS.indexOf(part('weekday')) + 1, hour: Number(part('hour')) };
}

/** The `weeksAgo`-th latest start of that weekday and hour in the time zone before `now` (plus `minute` minutes). */
export function slotBefore(now: Date, timeZone: string, slot: { weekday: number; hour: number; weeksAgo: number }, minute = 0): Date {
  const HOUR_MS = 3_600_000;
  let seen = 0;
  for (let t = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - HOUR_MS; t > now.getTime() - (slot.weeksAgo + 1) * 7 * 24 * HOUR_MS; t -= HOUR_MS) {
    const s = localSlot(new Date(t), timeZone);
    if (s.weekday === slot.weekday && s.hour === slot.hour && ++seen === slot.weeksAgo) return new Date(t + minute * 60_000);
  }
  throw new Error(`no ${slot.weekday}/${slot.hour} slot in ${timeZone}`);
}

export interface SeededDemoVideo {
  id: string;
  caption: string;
  shopId: string;
  productIds: string[];
  publishedAt: Date | null;
  /** Length of the clip the job renders. */
  durationMs: number;
}

/**
 * Lavfi video sources, one per pattern index (cycled). Only sources that the static ffmpeg
 * `npm install` brings (@ffmpeg-installer, an ffmpeg 4.0 build) also has: a fresh machine without
 * Debian's ffmpeg renders the demo with it (videos.test.ts runs each source through it).
 */
export const PATTERNS = [
  'color=c=0x1e3a8a:s=540x960:r=25,hue=H=2*PI*t/8',
  'testsrc2=s=540x960:r=25',
  'color=c=0x065f46:s=540x960:r=25,hue=H=2*PI*t/10',
  'smptebars=s=540x960:r=25',
  'life=s=540x960:r=25:mold=10:life_color=0xdb2777:death_color=0x1e3a8a:ratio=0.3',
  'color=c=0xea580c:s=540x960:r=25,hue=H=2*PI*t/6',
  'cellauto=s=540x960:r=25:rule=110:scroll=1',
  'rgbtestsrc=s=540x960:r=25,hue=H=2*PI*t/8',
];

/**
 * Seeds the demo videos of `creatorId`, each anchored to 1–3 of `products` of one shop, and puts
 * the first products in the creator's showcase. With `timezones` (shop id → time zone) each
 * video gets its publish time in the past (DEMO_VIDEOS' slots before the clock's now), for the
 * demo history. Call inside the demo seed (any transaction); the rendering jobs run once the
 * server's job worker starts.
 */
export async function seedDemoVideos(
  db: Db,
  clock: Clock,
  opts: { creatorId: string; products: DemoProduct[]; timezones?: Map<string, string> },
): Promise<SeededDemoVideo[]> {
  const { products } = opts;
  if (products.length === 0) return [];
  const shops = [...new Set(products.map((p) => p.shop_id))];
  const seeded: SeededDemoVideo[] = [];
  const slots = DEMO_VIDEOS.map((def, i) => {
    const timezone = opts.timezones?.get(shops[def.shop % shops.length]!);
    return timezone ? slotBefore(clock.now(), timezone, def.slot, 3 + ((i * 7) % 40)) : undefined;
  });
  // Inserted oldest first, so their time-sorted ids list them by date (the creator's list is newest first by id).
  const order = DEMO_VIDEOS.map((_, i) => i).sort((a, b) => (slots[a]?.getTime() ?? 0) - (slots[b]?.getTime() ?? 0));
  for (const i of order) {
    const def = DEMO_VIDEOS[i]!;
    const shopId = shops[def.shop % shops.length]!;
    const own = products.filter((p) => p.shop_id === shopId);
    const k = DEMO_VIDEOS.slice(0, i).filter((d) => shops[d.shop % shops.length] === shopId).length; // this shop's k-th video
    const count = Math.min(own.length, 1 + (i % 3));
    const anchored = Array.from({ length: count }, (_, j) => own[(k * 3 + j * 4) % own.length]!);
    const productIds = [...new Set(anchored.map((p) => p.id))];
    const main = anchored[0]!;
    const publishedAt = slots[i];
    const caption = def.caption(main.title);
    const row = await insertVideo(db, clock, { creatorId: opts.creatorId, caption, productIds, publishedAt }, {
      type: DEMO_VIDEO_JOB,
      payload: { title: main.title, pattern: i, duration_s: 6 + (i % 5) },
    });
    seeded[i] = { id: row.id, caption, shopId, productIds, publishedAt: publishedAt ?? null, durationMs: (6 + (i % 5)) * 1000 };
  }
  const step = Math.max(1, Math.floor(products.length / 8));
  await setShowcase(db, clock, opts.creatorId, products.filter((_, i) => i % step === 0).slice(0, 8).map((p) => p.id));
  return seeded;
}

/** Breaks a title into at most four lines of about `width` characters. */
function wrap(text: string, width = 16): string {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  if (lines.length > 4) lines.splice(3, lines.length - 3, `${lines[3]}…`);
  return lines.join('\n');
}

/** Renders one demo clip: 540×960 H.264/AAC MP4, a moving pattern, a tone and the title. */
export async function renderDemoVideo(media: MediaConfig, out: string, opts: { title: string; pattern: number; durationS: number }): Promise<void> {
  const source = PATTERNS[Math.abs(opts.pattern) % PATTERNS.length]!;
  const filters: string[] = [];
  const textFile = `${out}.txt`;
  if (existsSync(FONT)) {
    await writeFile(textFile, wrap(opts.title));
    const font = `fontfile=${filterValue(FONT)}`;
    filters.push(
      `drawtext=${font}:textfile=${filterValue(textFile)}:fontsize=48:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=20:line_spacing=10:x=(w-text_w)/2:y=h*0.38`,
      `drawtext=${font}:text=LOOPSHOP DEMO:fontsize=22:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=8:x=24:y=36`,
    );
  }
  try {
    await ffmpeg(
      media,
      [
        '-f', 'lavfi', '-i', source,
        '-f', 'lavfi', '-i', `sine=f=${220 + 55 * (opts.pattern % 8)}:r=44100`,
        '-t', String(opts.durationS),
        ...(filters.length ? ['-vf', filters.join(',')] : []),
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '96k', '-af', 'volume=0.2', '-shortest',
        '-movflags', '+faststart', '-f', 'mp4', out,
      ],
      120_000,
    );
  } finally {
    await rm(textFile, { force: true });
  }
}

/** Runs the media lane until nothing is due: every demo clip rendered and processed (or failed for good). */
export async function renderDemoClips(jobs: Pick<JobRunner, 'runDue'>): Promise<void> {
  for (let round = 0; round < 20; round++) if ((await jobs.runDue('media')) === 0) return;
}

/** The `content.generate_demo_video` job: render the clip as the upload, then process it normally. */
export function registerDemoVideoJobs(jobs: JobRunner, ctx: { clock: Clock; media: MediaConfig }): void {
  jobs.register(DEMO_VIDEO_JOB, async (db, payload, job) => {
    const p = payload as { video_id: string; title: string; pattern: number; duration_s: number };
    await processVideo(db, ctx.clock, ctx.media, p.video_id, {
      lastAttempt: job.attempts >= 3,
      render: (file) => renderDemoVideo(ctx.media, file, { title: p.title, pattern: p.pattern, durationS: p.duration_s }),
    });
  }, { transaction: false, lane: 'media' }); // long ffmpeg work: no transaction, own polling loop
}
