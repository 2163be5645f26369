/**
 * Just enough of a Prometheus client for the demo platform: counters, histograms and gauges
 * read at scrape time, rendered in the text exposition format (version 0.0.4).
 */

export type Labels = Readonly<Record<string, string>>;

interface Series<T> {
  labels: Labels;
  value: T;
}

interface HistogramValue {
  buckets: number[];
  sum: number;
  count: number;
}

interface Family {
  render(): string[];
}

export class Counter implements Family {
  readonly #series = new Map<string, Series<number>>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = labelKey(labels);
    const series = this.#series.get(key);
    if (series === undefined) this.#series.set(key, { labels, value: by });
    else series.value += by;
  }

  value(labels: Labels): number {
    return this.#series.get(labelKey(labels))?.value ?? 0;
  }

  render(): string[] {
    return [
      ...header(this.name, this.help, 'counter'),
      ...[...this.#series.values()].map((series) => `${this.name}${formatLabels(series.labels)} ${formatNumber(series.value)}`),
    ];
  }
}

export class Histogram implements Family {
  readonly #series = new Map<string, Series<HistogramValue>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels, value: { buckets: this.bounds.map(() => 0), sum: 0, count: 0 } };
      this.#series.set(key, series);
    }
    const { value: histogram } = series;
    const bucket = this.bounds.findIndex((bound) => value <= bound);
    if (bucket >= 0) histogram.buckets[bucket] = (histogram.buckets[bucket] ?? 0) + 1;
    histogram.sum += value;
    histogram.count += 1;
  }

  render(): string[] {
    const lines = header(this.name, this.help, 'histogram');
    for (const { labels, value } of this.#series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += value.buckets[index] ?? 0;
        lines.push(`${this.name}_bucket${formatLabels({ ...labels, le: formatNumber(bound) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${value.count}`);
      lines.push(`${this.name}_sum${formatLabels(labels)} ${formatNumber(value.sum)}`);
      lines.push(`${this.name}_count${formatLabels(labels)} ${value.count}`);
    }
    return lines;
  }
}

class Gauge implements Family {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly collect: () => readonly (readonly [Labels, number])[],
  ) {}

  render(): string[] {
    return [
      ...header(this.name, this.help, 'gauge'),
      ...this.collect().map(([labels, value]) => `${this.name}${formatLabels(labels)} ${formatNumber(value)}`),
    ];
  }
}

export class PrometheusRegistry {
  readonly #families: Family[] = [];

  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }

  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, bounds));
  }

  gauge(name: string, help: string, collect: () => readonly (readonly [Labels, number])[]): void {
    this.#add(new Gauge(name, help, collect));
  }

  render(): string {
    return `${this.#families.flatMap((family) => family.render()).join('\n')}\n`;
  }

  #add<F extends Family>(family: F): F {
    this.#families.push(family);
    return family;
  }
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

// Each series is recorded with its label names in one fixed order, so the values alone identify it
// (this runs several times per request; sorting and JSON cost more than the request's routing).
function labelKey(labels: Labels): string {
  let key = '';
  for (const name in labels) key += `${labels[name]}\u0000`;
  return key;
}
