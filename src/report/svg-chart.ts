import { escapeHtml } from './html-escape.js';
import type { Annotation, Band } from './report-model.js';

/**
 * A time-series line chart as inline SVG: no script, no font, no request, so the HTML report
 * opens offline and prints. Annotations are numbered markers keyed to a list under the chart,
 * since ten labels at one second would overprint each other.
 */

export interface ChartSeries {
  name: string;
  colour: string;
  values: ReadonlyArray<number | null>;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** Seconds since the load's origin at which each value's bucket starts, and the bucket width. */
  startS: readonly number[];
  bucketS: number;
  format: (value: number) => string;
  series: readonly ChartSeries[];
  annotations?: ReadonlyArray<Annotation & { marker: number }>;
  bands?: readonly Band[];
}

const WIDTH = 860;
const HEIGHT = 220;
const PAD = { left: 64, right: 16, top: 22, bottom: 28 };
const BAND_COLOURS: Record<Band['kind'], string> = { fault: '#d9534f', baseline: '#5b8def', degraded: '#f0ad4e', recovered: '#3fb950' };
const BAND_LABELS: Record<Band['kind'], string> = { fault: 'fault active', baseline: 'baseline window', degraded: 'degraded window', recovered: 'recovered window' };
export const ANNOTATION_COLOURS: Record<Annotation['kind'], string> = {
  phase: '#6e7781',
  step: '#8250df',
  milestone: '#0969da',
  breach: '#cf222e',
  abort: '#cf222e',
  stop: '#6e7781',
  alert: '#bf8700',
  isolation: '#cf222e',
  warning: '#bf8700',
};

/** 1, 2 or 5 × a power of ten, so ticks read as round numbers. */
function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

/** `m:ss` (or `h:mm:ss`) from the load's start; before it (a preflight) with a minus. */
export function clockLabel(seconds: number): string {
  if (seconds < 0 && Math.round(seconds) < 0) return `-${clockLabel(-seconds)}`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

export function lineChart(spec: ChartSpec): string {
  const first = spec.startS[0] ?? 0;
  const last = (spec.startS[spec.startS.length - 1] ?? 0) + spec.bucketS;
  const span = Math.max(1, last - first);
  const values = spec.series.flatMap((series) => series.values.filter((value): value is number => value !== null && Number.isFinite(value)));
  const top = Math.max(0, ...values);
  const yStep = niceStep(top > 0 ? top : 1, 4);
  const yMax = Math.max(yStep, Math.ceil((top > 0 ? top : 1) / yStep) * yStep);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (seconds: number): number => PAD.left + ((seconds - first) / span) * plotW;
  const y = (value: number): number => PAD.top + plotH - (Math.min(value, yMax) / yMax) * plotH;
  const f = (n: number): string => n.toFixed(1);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" class="chart" data-chart="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}">`);
  parts.push(`<title>${escapeHtml(spec.title)}</title>`);
  for (const band of spec.bands ?? []) {
    const from = Math.max(first, band.from_s);
    const to = Math.min(last, band.to_s);
    if (to <= from) continue;
    parts.push(`<rect class="band" x="${f(x(from))}" y="${PAD.top}" width="${f(x(to) - x(from))}" height="${plotH}" fill="${BAND_COLOURS[band.kind]}" fill-opacity="0.12"><title>${escapeHtml(`${band.label}: ${clockLabel(band.from_s)}–${clockLabel(band.to_s)}`)}</title></rect>`);
  }
  for (let tick = 0; tick <= yMax + 1e-9; tick += yStep) {
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${f(y(tick))}" y2="${f(y(tick))}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${f(y(tick) + 4)}" text-anchor="end" class="tick">${escapeHtml(spec.format(tick))}</text>`);
  }
  const xStep = niceStep(span, 8);
  for (let tick = Math.ceil(first / xStep) * xStep; tick <= last; tick += xStep) {
    parts.push(`<text x="${f(x(tick))}" y="${HEIGHT - 8}" text-anchor="middle" class="tick">${clockLabel(tick)}</text>`);
  }
  parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#57606a"/>`);
  for (const series of spec.series) {
    // A bucket with no data breaks the line: a gap must never read as "fast" or "quiet".
    let run: string[] = [];
    const flush = (): void => {
      if (run.length === 1) parts.push(`<circle class="series-point" cx="${run[0]?.split(',')[0]}" cy="${run[0]?.split(',')[1]}" r="2" fill="${series.colour}"/>`);
      if (run.length > 1) parts.push(`<polyline class="series" data-series="${escapeHtml(series.name)}" fill="none" stroke="${series.colour}" stroke-width="1.6" points="${run.join(' ')}"/>`);
      run = [];
    };
    series.values.forEach((value, i) => {
      if (value === null || !Number.isFinite(value)) return flush();
      run.push(`${f(x((spec.startS[i] ?? 0) + spec.bucketS / 2))},${f(y(value))}`);
    });
    flush();
  }
  for (const annotation of spec.annotations ?? []) {
    if (annotation.at_s < first || annotation.at_s > last) continue;
    const ax = f(x(annotation.at_s));
    const colour = ANNOTATION_COLOURS[annotation.kind];
    parts.push(`<g class="annotation"><title>${escapeHtml(`${annotation.marker}. ${clockLabel(annotation.at_s)} ${annotation.label}`)}</title><line x1="${ax}" x2="${ax}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${colour}" stroke-dasharray="3 3"/><circle cx="${ax}" cy="${PAD.top - 9}" r="7" fill="${colour}"/><text x="${ax}" y="${PAD.top - 6}" text-anchor="middle" class="marker">${annotation.marker}</text></g>`);
  }
  parts.push('</svg>');
  const kinds = [...new Set((spec.bands ?? []).map((band) => band.kind))];
  const shading = kinds.map((kind) => `<span class="swatch band-swatch" style="background:${BAND_COLOURS[kind]}"></span>${BAND_LABELS[kind]}`).join(' ');
  const legend = spec.series.map((series) => `<span class="swatch" style="background:${series.colour}"></span>${escapeHtml(series.name)}`).join(' ') + (shading === '' ? '' : ` · shaded: ${shading}`);
  return `<figure class="chart-figure"><figcaption>${escapeHtml(spec.title)} <span class="legend">${legend}</span></figcaption>${parts.join('')}</figure>`;
}
