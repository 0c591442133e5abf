/**
 * The nightly transcoding pipeline: its steps, their shell commands and what each needs, for N
 * clips. Pure (no I/O): the loader (load.ts) turns the steps into Chronos job JSON, and a plain
 * shell baseline (the bench) can run the very same commands in the same order.
 *
 *   prepare ─┬─ cNN.source ─┬─ cNN.transcode-360p ─┐
 *            │              ├─ cNN.transcode-720p ─┼─ cNN.package ── cNN.verify ─┐
 *            │              └─ cNN.transcode-1080p ┘                             ├─ publish ── cleanup
 *            └─ … one branch per clip …                                          ┘
 *
 * Every path is absolute under `workDir` (the night's scratch space) and `outDir` (where the
 * HLS packages are published): tasks run in their own Mesos sandbox (the working directory, also
 * $MESOS_SANDBOX), which is per task, so nothing may be relative.
 *
 * `publish` is deliberately flaky: its first attempt of a night fails (a marker file in the
 * night's folder remembers the attempt), so every night shows a retry.
 */

export interface Rendition {
  /** e.g. "360p" */
  name: string;
  width: number;
  height: number;
  /** video bitrate, kbit/s */
  kbps: number;
}

export interface PipelineOptions {
  /** Job name prefix (`[\w.-]`): every job is `<prefix>.<step>`. */
  prefix: string;
  /** Number of source clips (1-999). */
  clips: number;
  /** Length of each clip in seconds. */
  seconds: number;
  /** Rendition heights, e.g. [360, 720, 1080]; widths are 16:9. */
  heights: number[];
  /** Absolute scratch folder of the night (sources, renditions, packages). */
  workDir: string;
  /** Absolute folder the packages are published to (`<outDir>/<date>/cNN/master.m3u8`, `<outDir>/latest`). */
  outDir: string;
}

export const DEFAULT_HEIGHTS = [360, 720, 1080];
export const SEGMENT_SECONDS = 2;
export const FPS = 25;
/** Every step's schedule: 02:00 in Shanghai, daily. */
export const TIME_ZONE = 'Asia/Shanghai';
export const NIGHT_HOUR = 2;

export interface Step {
  /** Full job name. */
  name: string;
  /** Names of the steps that must have succeeded first (empty: the scheduled root). */
  parents: string[];
  /** A POSIX sh script (run with `sh -c`). */
  command: string;
  description: string;
  cpus: number;
  /** MiB */
  mem: number;
  retries: number;
  /** Seconds after which the run is killed (Chronos's maxCompletionTime). */
  deadline: number;
}

/** Single-quoted for sh. */
export const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const even = (n: number): number => 2 * Math.round(n / 2);

export function rendition(height: number): Rendition {
  const width = even((height * 16) / 9);
  // ~0.1 bit per pixel per frame at 25 fps, as common ladders use (360p ≈ 0.6, 1080p ≈ 5 Mbit/s)
  const kbps = Math.max(100, Math.round((width * height * FPS * 0.1) / 1000 / 50) * 50);
  return { name: `${height}p`, width, height, kbps };
}

/**
 * What x264 really takes, measured on 4 s clips (`/usr/bin/time`, bench machine): 360p and 720p
 * with one thread peak at 110-165 MB, 1080p with two at ~290 MB; threads are set to the cpus asked.
 */
export function transcodeResources(height: number): { cpus: number; mem: number } {
  if (height > 720) return { cpus: 2, mem: 384 };
  if (height > 360) return { cpus: 1, mem: 256 };
  return { cpus: 1, mem: 192 };
}

const clipId = (i: number): string => `c${String(i).padStart(2, '0')}`;
const TEST_SOURCES = ['testsrc2', 'smptehdbars', 'testsrc', 'rgbtestsrc', 'yuvtestsrc'];
const FFMPEG = 'ffmpeg -hide_banner -loglevel error -nostdin -y';

/** The folders and files of a night, all absolute. */
export function layout(o: Pick<PipelineOptions, 'workDir' | 'outDir'>) {
  const night = `${o.workDir}/night`;
  return {
    night,
    source: (clip: string) => `${night}/source/${clip}.mp4`,
    renditions: (clip: string) => `${night}/renditions/${clip}`,
    hls: (clip: string) => `${night}/hls/${clip}`,
    hlsRoot: `${night}/hls`,
    publishMarker: `${night}/.publish-attempted`,
    latest: `${o.outDir}/latest`,
  };
}

export function validateOptions(o: PipelineOptions): string | null {
  if (!/^[\w.-]+$/.test(o.prefix) || o.prefix.length > 80) return `prefix ${o.prefix} must be at most 80 characters of letters, digits, _ . -`;
  if (!Number.isInteger(o.clips) || o.clips < 1 || o.clips > 999) return `clips ${o.clips} must be a whole number from 1 to 999`;
  if (!(o.seconds >= 1 && o.seconds <= 600)) return `seconds ${o.seconds} must be from 1 to 600`;
  if (!o.heights.length || o.heights.some((h) => !Number.isInteger(h) || h < 36 || h > 2160 || h % 2)) {
    return `heights ${o.heights.join(',')} must be even whole numbers from 36 to 2160`;
  }
  if (new Set(o.heights).size !== o.heights.length) return `heights ${o.heights.join(',')} must differ`;
  for (const d of [o.workDir, o.outDir]) if (!d.startsWith('/')) return `${d} must be an absolute path`;
  return null;
}

/** The steps in an order where every parent comes before its children. */
export function pipelineSteps(o: PipelineOptions): Step[] {
  const problem = validateOptions(o);
  if (problem) throw new Error(problem);
  const L = layout(o);
  const P = (s: string) => `${o.prefix}.${s}`;
  const renditions = o.heights.map(rendition);
  const top = renditions.reduce((a, b) => (b.height > a.height ? b : a));
  // a generous deadline: ten times what a loaded 2-core machine took, at least two minutes
  const deadline = (cpuSecondsPerSecond: number) => Math.max(120, Math.ceil(o.seconds * cpuSecondsPerSecond * 10));
  const pixelsFactor = (r: Rendition) => (r.width * r.height) / (1920 * 1080);

  const steps: Step[] = [];
  steps.push({
    name: P('prepare'),
    parents: [],
    command: [
      'set -eu',
      `rm -rf ${q(L.night)}`,
      `mkdir -p ${q(`${L.night}/source`)} ${q(`${L.night}/renditions`)} ${q(L.hlsRoot)}`,
      `echo "night of $(TZ=${TIME_ZONE} date +%F) prepared in ${L.night} for ${o.clips} clips"`,
    ].join('\n'),
    description: `Starts a night: an empty scratch folder ${L.night}`,
    cpus: 0.1,
    mem: 32,
    retries: 2,
    deadline: 60,
  });

  const verifies: string[] = [];
  for (let i = 1; i <= o.clips; i++) {
    const c = clipId(i);
    const src = L.source(c);
    const tone = 220 + 55 * i;
    steps.push({
      name: P(`${c}.source`),
      parents: [P('prepare')],
      command: [
        'set -eu',
        `${FFMPEG} -f lavfi -i ${TEST_SOURCES[(i - 1) % TEST_SOURCES.length]}=size=${top.width}x${top.height}:rate=${FPS}:duration=${o.seconds}` +
          ` -f lavfi -i sine=frequency=${tone}:sample_rate=48000:duration=${o.seconds}` +
          ` -threads 1 -c:v libx264 -preset ultrafast -crf 18 -pix_fmt yuv420p -c:a aac -b:a 128k -shortest ${q(`${src}.tmp.mp4`)}`,
        `mv ${q(`${src}.tmp.mp4`)} ${q(src)}`,
        `echo "source ${c}: ${o.seconds} s ${top.width}x${top.height}, $(stat -c %s ${q(src)}) bytes"`,
      ].join('\n'),
      description: `Generates source clip ${c} (${o.seconds} s of ffmpeg's test pattern at ${top.width}x${top.height})`,
      cpus: 1,
      mem: 256,
      retries: 2,
      deadline: deadline(3 * pixelsFactor(top) + 1),
    });

    const transcodes: string[] = [];
    for (const r of renditions) {
      const res = transcodeResources(r.height);
      const out = `${L.renditions(c)}/${r.name}.mp4`;
      const gop = FPS * SEGMENT_SECONDS;
      steps.push({
        name: P(`${c}.transcode-${r.name}`),
        parents: [P(`${c}.source`)],
        command: [
          'set -eu',
          `mkdir -p ${q(L.renditions(c))}`,
          `${FFMPEG} -threads ${res.cpus} -i ${q(src)} -vf scale=${r.width}:${r.height} -threads ${res.cpus}` +
            ` -c:v libx264 -preset veryfast -profile:v high -b:v ${r.kbps}k -maxrate ${Math.round(r.kbps * 1.07)}k -bufsize ${Math.round(r.kbps * 1.5)}k` +
            ` -g ${gop} -keyint_min ${gop} -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 96k -movflags +faststart ${q(`${out}.tmp.mp4`)}`,
          `mv ${q(`${out}.tmp.mp4`)} ${q(out)}`,
          `echo "${c} ${r.name}: ${r.width}x${r.height} at ${r.kbps} kbit/s, $(stat -c %s ${q(out)}) bytes"`,
        ].join('\n'),
        description: `Transcodes ${c} to ${r.name} H.264 (${r.width}x${r.height}, ${r.kbps} kbit/s)`,
        ...res,
        retries: 2,
        deadline: deadline(6 * pixelsFactor(r) + 1),
      });
      transcodes.push(P(`${c}.transcode-${r.name}`));
    }

    const hls = L.hls(c);
    const master = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      ...renditions.flatMap((r) => [`#EXT-X-STREAM-INF:BANDWIDTH=${(r.kbps + 96) * 1000},RESOLUTION=${r.width}x${r.height},CODECS="avc1.640028,mp4a.40.2"`, `${r.name}.m3u8`]),
    ];
    steps.push({
      name: P(`${c}.package`),
      parents: transcodes,
      command: [
        'set -eu',
        `rm -rf ${q(hls)} && mkdir -p ${q(hls)}`,
        ...renditions.map(
          (r) =>
            `${FFMPEG} -i ${q(`${L.renditions(c)}/${r.name}.mp4`)} -c copy -f hls -hls_time ${SEGMENT_SECONDS} -hls_playlist_type vod` +
            ` -hls_segment_filename ${q(`${hls}/${r.name}_%03d.ts`)} ${q(`${hls}/${r.name}.m3u8`)}`,
        ),
        `printf '%s\\n' ${master.map(q).join(' ')} > ${q(`${hls}/master.m3u8`)}`,
        `echo "${c}: HLS with ${renditions.length} renditions, $(ls ${q(hls)} | grep -c '\\.ts$') segments"`,
      ].join('\n'),
      description: `Packages ${c}'s renditions as HLS (${SEGMENT_SECONDS} s segments, a master playlist)`,
      cpus: 0.25,
      mem: 64,
      retries: 1,
      deadline: 120,
    });

    steps.push({
      name: P(`${c}.verify`),
      parents: [P(`${c}.package`)],
      command: ['set -eu', ...renditions.map((r) => verifyLine(`${hls}/${r.name}.m3u8`, r, o.seconds))].join('\n'),
      description: `Checks each of ${c}'s HLS renditions with ffprobe: H.264, its size, ${o.seconds} s long`,
      cpus: 0.25,
      mem: 64,
      retries: 0,
      deadline: 120,
    });
    verifies.push(P(`${c}.verify`));
  }

  const stamp = `$(TZ=${TIME_ZONE} date +%F)`;
  steps.push({
    name: P('publish'),
    parents: verifies,
    command: [
      'set -eu',
      `if [ ! -e ${q(L.publishMarker)} ]; then`,
      `  touch ${q(L.publishMarker)}`,
      `  echo "publish: the origin refused the upload (deliberately flaky: the first attempt of each night fails; the retry succeeds)" >&2`,
      '  exit 75',
      'fi',
      `day=${stamp}`,
      `mkdir -p ${q(o.outDir)}`,
      `rm -rf ${q(o.outDir)}/.incoming-"$day"`,
      `cp -R ${q(L.hlsRoot)} ${q(o.outDir)}/.incoming-"$day"`,
      `rm -rf ${q(o.outDir)}/"$day"`,
      `mv ${q(o.outDir)}/.incoming-"$day" ${q(o.outDir)}/"$day"`,
      `ln -sfn "$day" ${q(L.latest)}`,
      `echo "published ${o.clips} clips to ${o.outDir}/$day"`,
    ].join('\n'),
    description: `Publishes the night's HLS packages to ${o.outDir}/<date> (and ${L.latest}); fails on its first attempt of a night`,
    cpus: 0.1,
    mem: 32,
    retries: 3,
    deadline: 300,
  });

  steps.push({
    name: P('cleanup'),
    parents: [P('publish')],
    command: [
      'set -eu',
      `rm -rf ${q(L.night)}`,
      `find ${q(o.outDir)} -mindepth 1 -maxdepth 1 -type d -name '20??-??-??' -mtime +7 -exec rm -rf {} +`,
      `echo "removed ${L.night}; published nights older than 7 days pruned"`,
    ].join('\n'),
    description: `Removes the night's scratch folder and published nights older than 7 days`,
    cpus: 0.1,
    mem: 32,
    retries: 1,
    deadline: 120,
  });
  return steps;
}

/** One ffprobe check: prints what it found, fails unless H.264 of the rendition's size and the clip's length (±0.5 s). */
function verifyLine(file: string, r: Rendition, seconds: number): string {
  const awk =
    `{v[$1]=$2} END {ok = v["codec_name"]=="h264" && v["width"]==${r.width} && v["height"]==${r.height} && v["duration"]+0 >= ${seconds - 0.5} && v["duration"]+0 <= ${seconds + 0.5};` +
    ` printf "%s: %s %sx%s %s s %s\\n", f, v["codec_name"], v["width"], v["height"], v["duration"], (ok ? "ok" : "WRONG, want h264 ${r.width}x${r.height} ${seconds} s"); exit !ok}`;
  return (
    `ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height:format=duration -of default=nw=1 ${q(file)}` +
    ` | awk -F= -v f=${q(`${r.name}`)} ${q(awk)}`
  );
}
