// Where a thread's time went, from a V8 .cpuprofile (node --cpu-prof): self time by function and
// by where the code lives (live-assure's dist/, undici, hdr-histogram-js, node internals, GC, idle).
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

function placeOf(frame) {
  const url = frame.url ?? '';
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native/other)';
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/node_modules/hdr-histogram-js/')) return 'hdr-histogram-js';
  if (url.includes('/node_modules/')) return `other packages (${url.split('/node_modules/').at(-1).split('/')[0]})`;
  if (url.includes('/dist/')) return 'live-assure dist/';
  if (url.startsWith('node:')) return 'node internals';
  return '(other)';
}

function shortUrl(url) {
  if (url.includes('/node_modules/')) return url.split('/node_modules/').at(-1);
  if (url.includes('/dist/')) return `dist/${url.split('/dist/').at(-1)}`;
  return url;
}

/** Self time (ms) by function and by place, busiest first. */
export function summarizeProfile(profile, top = 15) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const functions = new Map();
  const places = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    totalUs += us;
    const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const place = placeOf(frame);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: us / totalUs }));
  return { total_ms: Math.round(totalUs / 1000), places: sorted(places), functions: sorted(functions).slice(0, top) };
}

/** Every profile node --cpu-prof wrote into `dir`: thread 0 is the main thread, the others workers. */
export async function readProfiles(dir) {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile')).sort();
  return Promise.all(
    files.map(async (file) => {
      // CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile
      const thread = Number(basename(file).split('.').at(-3));
      return { file, thread, profile: JSON.parse(await readFile(join(dir, file), 'utf8')) };
    }),
  );
}
