import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import type { JobRunner } from '../platform/jobs.js';
import { ffmpeg, filterValue } from '../platform/media.js';
import { insertVideo, processVideo, setShowcase, type MediaConfig } from '../modules/content/service.js';

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

const CAPTIONS: Array<(title: string) => string> = [
  (t) => `Friday 20:00 tutorial: setting up the ${t} in 60 s`,
  (t) => `Unboxing the ${t} — first impressions, no filter`,
  (t) => `Three things nobody tells you about the ${t}`,
  (t) => `Weekend trip packing list, starring the ${t}`,
  (t) => `Is the ${t} worth it? Honest review after a month`,
  (t) => `Quick tip: how I use the ${t} every morning`,
  (t) => `Side by side: the ${t} against the usual suspects`,
  (t) => `Gift idea under the tree this year: the ${t}`,
  (t) => `Rainy day test of the ${t} (it went better than expected)`,
  (t) => `Behind the scenes at the shop: packing a ${t}`,
  (t) => `My favourite detail of the ${t}, up close`,
  (t) => `Before and after: a week with the ${t}`,
];

/** Lavfi video sources, one per pattern index (cycled). */
const PATTERNS = [
  'gradients=s=540x960:r=25:c0=0x1e3a8a:c1=0xdb2777:nb_colors=2:speed=0.02',
  'testsrc2=s=540x960:r=25',
  'gradients=s=540x960:r=25:c0=0x065f46:c1=0x0ea5e9:nb_colors=2:speed=0.02',
  'smptebars=s=540x960:r=25',
  'sierpinski=s=540x960:r=25',
  'gradients=s=540x960:r=25:c0=0xea580c:c1=0x7c3aed:nb_colors=2:speed=0.02',
  'cellauto=s=540x960:r=25:rule=110:scroll=1',
  'rgbtestsrc=s=540x960:r=25,hue=H=2*PI*t/8',
];

/**
 * Seeds the demo videos of `creatorId`, anchored to 1–3 of `products` each, and puts the first
 * products in the creator's showcase. Call inside the demo seed (any transaction); the rendering
 * jobs run once the server's job worker starts.
 */
export async function seedDemoVideos(db: Db, clock: Clock, opts: { creatorId: string; products: DemoProduct[] }): Promise<void> {
  const { products } = opts;
  if (products.length === 0) return;
  for (let i = 0; i < CAPTIONS.length; i++) {
    const count = Math.min(products.length, 1 + (i % 3));
    const anchored = Array.from({ length: count }, (_, k) => products[(i * 5 + k * 7) % products.length]!);
    const productIds = [...new Set(anchored.map((p) => p.id))];
    const main = anchored[0]!;
    await insertVideo(db, clock, { creatorId: opts.creatorId, caption: CAPTIONS[i]!(main.title), productIds }, {
      type: DEMO_VIDEO_JOB,
      payload: { title: main.title, pattern: i, duration_s: 6 + (i % 5) },
    });
  }
  const step = Math.max(1, Math.floor(products.length / 8));
  await setShowcase(db, clock, opts.creatorId, products.filter((_, i) => i % step === 0).slice(0, 8).map((p) => p.id));
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

/** The `content.generate_demo_video` job: render the clip as the upload, then process it normally. */
export function registerDemoVideoJobs(jobs: JobRunner, ctx: { clock: Clock; config: MediaConfig }): void {
  jobs.register(DEMO_VIDEO_JOB, async (db, payload, job) => {
    const p = payload as { video_id: string; title: string; pattern: number; duration_s: number };
    await processVideo(db, ctx.clock, ctx.config, p.video_id, {
      lastAttempt: job.attempts >= 3,
      render: (file) => renderDemoVideo(ctx.config, file, { title: p.title, pattern: p.pattern, durationS: p.duration_s }),
    });
  }, { transaction: false, lane: 'media' }); // long ffmpeg work: no transaction, own polling loop
}
