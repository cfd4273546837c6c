import { execFile } from 'node:child_process';

/**
 * A small wrapper around ffprobe and ffmpeg: argument arrays (never a shell), a timeout on
 * every run, and ffprobe's JSON turned into the few facts the platform needs.
 */
export interface MediaTools {
  ffmpegPath: string;
  ffprobePath: string;
}

export type MediaFailure = 'exit' | 'timeout' | 'spawn';

export class MediaToolError extends Error {
  constructor(
    message: string,
    /** `exit`: the tool ran and refused the input; `timeout`: killed; `spawn`: could not start it. */
    readonly kind: MediaFailure,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'MediaToolError';
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
      const kind: MediaFailure = typeof e.code === 'string' ? 'spawn' : e.killed || e.signal ? 'timeout' : 'exit';
      const detail = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(new MediaToolError(`${cmd} failed (${kind})${detail ? `: ${detail}` : `: ${e.message}`}`, kind, stderr));
    });
  });
}

export interface VideoStreamInfo {
  codec: string;
  width: number;
  height: number;
  pixFmt: string | null;
  /** Frames the container declares (MP4 has it, WebM often not). */
  frames: number | null;
  /** Packets actually read, with `countPackets` — fewer than `frames` means a truncated file. */
  readPackets: number | null;
}

export interface ProbeResult {
  formatName: string;
  durationMs: number | null;
  video: VideoStreamInfo | null;
  audio: { codec: string } | null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: Array<{ rotation?: number }>;
}

const num = (v: string | number | undefined): number | null => {
  const n = Number(v);
  return v === undefined || v === '' || !Number.isFinite(n) ? null : n;
};

/** Reads container and streams. `countPackets` demuxes the whole file (cheap; finds truncation). */
export async function probe(tools: MediaTools, file: string, opts: { countPackets?: boolean; timeoutMs?: number } = {}): Promise<ProbeResult> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];
  if (opts.countPackets) args.push('-count_packets');
  const { stdout } = await run(tools.ffprobePath, [...args, '-i', file], opts.timeoutMs ?? 30_000);
  const json = JSON.parse(stdout) as { format?: { format_name?: string; duration?: string }; streams?: FfprobeStream[] };
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  let video: VideoStreamInfo | null = null;
  if (v && v.width && v.height) {
    const rotation = Math.abs(num(v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation) ?? num(v.tags?.rotate) ?? 0) % 180;
    video = {
      codec: v.codec_name ?? 'unknown',
      // Display size: a phone video shot upright is stored sideways with a 90° rotation.
      width: rotation === 90 ? v.height : v.width,
      height: rotation === 90 ? v.width : v.height,
      pixFmt: v.pix_fmt ?? null,
      frames: num(v.nb_frames),
      readPackets: num(v.nb_read_packets),
    };
  }
  const seconds = num(json.format?.duration) ?? num(v?.duration);
  return {
    formatName: json.format?.format_name ?? '',
    durationMs: seconds === null ? null : Math.round(seconds * 1000),
    video,
    audio: a ? { codec: a.codec_name ?? 'unknown' } : null,
  };
}

/**
 * Content sniffing (never the file name): `video` when ffprobe reads a moving-picture stream,
 * `damaged` when it recognises a container but cannot read it (e.g. a truncated MP4 whose index
 * is missing), `not_video` otherwise (text, audio only, a still image).
 */
export async function sniffVideo(tools: MediaTools, file: string): Promise<'video' | 'damaged' | 'not_video'> {
  try {
    const p = await probe(tools, file);
    const still = p.formatName === 'image2' || p.formatName.endsWith('_pipe');
    return p.video && !still ? 'video' : 'not_video';
  } catch (err) {
    if (!(err instanceof MediaToolError) || err.kind !== 'exit') throw err;
    // ffprobe names the demuxer that recognised the data in its log prefix: "[mov,mp4,… @ 0x…]".
    return /^\[(?!NULL |AVIOContext )[\w,]+ @ 0x[0-9a-f]+\]/m.test(err.stderr) ? 'damaged' : 'not_video';
  }
}

/** Runs ffmpeg quietly with the given arguments (overwriting outputs). */
export async function ffmpeg(tools: MediaTools, args: string[], timeoutMs: number): Promise<void> {
  await run(tools.ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], timeoutMs);
}

/** Escapes a value for use inside an ffmpeg filter option (both escaping levels of a filtergraph). */
export function filterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
