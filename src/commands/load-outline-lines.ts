import type { LoadOutline } from '../engine/load-outline.js';
import { formatDuration } from '../scenarios/unit-text.js';
import { formatNumber } from './flag-numbers.js';

/** The `load:` lines of `plan`: what `loadtest` will send, before anything is sent. */
export function renderLoadOutline(outline: LoadOutline): string {
  const mix = outline.mix.map((entry) => `${entry.journey} ${formatNumber(entry.share * 100, 2)}%`).join(', ');
  let text = `loadtest: ${formatNumber(outline.level_one_rate)} journeys/s at level 1 (forecast peaks × scale ${outline.scale}), peak ${formatNumber(outline.peak_rate)}/s, `;
  text += `${formatDuration(outline.duration_ms)}, about ${outline.scheduled_arrivals.toLocaleString('en-US')} arrivals (${outline.arrivals})\n`;
  text += `  mix: ${mix}\n`;
  if (outline.thresholds.length > 0) text += `  thresholds: ${outline.thresholds.join(', ')}\n`;
  if (outline.abort.length > 0) text += `  abort: ${outline.abort.join(', ')}\n`;
  return text;
}
