/**
 * A small Prometheus metrics registry with a hand-written text exposition
 * (format 0.0.4): counters, gauges and histograms with labels, plus collectors
 * that read live state (feeds, gaps, store) at scrape time. No dependency.
 */

/** Label values of one sample, keyed by label name. */
export type Labels = Readonly<Record<string, string>>;

/** Prometheus metric types this registry writes. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One sample a collector reports. */
export type Sample = Readonly<{ labels?: Labels; value: number }>;

/** A metric family a collector computes at scrape time (counter or gauge). */
export type CollectedFamily = Readonly<{ name: string; help: string; type: 'counter' | 'gauge'; samples: readonly Sample[] }>;

/** The content type of the exposition (`GET /metrics`). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a HELP text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as the text format writes it (`+Inf`, `-Inf`, `NaN`, else the shortest decimal). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(labels: Labels | undefined, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra) pairs.push([extra[0], extra[1]]);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function checkName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
}

function checkLabels(labelNames: readonly string[]): void {
  for (const l of labelNames) {
    if (!LABEL_NAME.test(l) || l.startsWith('__') || l === 'le') throw new Error(`invalid label name ${l}`);
  }
}

/** Sorted label values in the family's label order: the key of one series. */
function seriesKey(labelNames: readonly string[], labels: Labels | undefined): string {
  return JSON.stringify(labelNames.map((n) => labels?.[n] ?? ''));
}

function pick(labelNames: readonly string[], labels: Labels | undefined): Labels {
  const out: Record<string, string> = {};
  for (const n of labelNames) out[n] = labels?.[n] ?? '';
  return out;
}

/**
 * What counters and gauges share: a validated name and label names, one
 * value per label set, and the text lines of the family.
 */
export abstract class ScalarMetric {
  protected readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {
    checkName(name);
    checkLabels(labelNames);
  }

  /** The family as text lines. */
  lines(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
}

/** A monotonically increasing count (requests, calls, errors). */
export class Counter extends ScalarMetric {
  /** Adds `by` (default 1, never negative) to the series of `labels`. */
  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot decrease`);
    const key = seriesKey(this.labelNames, labels);
    const s = this.series.get(key) ?? { labels: pick(this.labelNames, labels), value: 0 };
    s.value += by;
    this.series.set(key, s);
  }

  /** Current value of a series (0 when never incremented). */
  get(labels?: Labels): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }
}

/** A value that goes up and down (queue depth, pending approvals). */
export class Gauge extends ScalarMetric {
  /** Sets the series of `labels` to `value`. */
  set(labels: Labels | undefined, value: number): void {
    this.series.set(seriesKey(this.labelNames, labels), { labels: pick(this.labelNames, labels), value });
  }
}

/** Default latency buckets in seconds: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A distribution of observations in cumulative buckets, with `_sum` and `_count` (tool latency). */
export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly buckets: readonly number[];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    buckets: readonly number[] = LATENCY_BUCKETS_SECONDS,
  ) {
    checkName(name);
    checkLabels(labelNames);
    const sorted = [...buckets].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
    if (sorted.length === 0 || new Set(sorted).size !== sorted.length) throw new Error(`histogram ${name} needs distinct finite buckets`);
    this.buckets = sorted;
  }

  /** Records one observation in the series of `labels`. */
  observe(labels: Labels | undefined, value: number): void {
    const key = seriesKey(this.labelNames, labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: pick(this.labelNames, labels), counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count += 1;
  }

  /** Observations recorded in a series. */
  count(labels?: Labels): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.count ?? 0;
  }

  /** The family as text lines: cumulative `_bucket` lines ending with `+Inf`, then `_sum` and `_count`. */
  lines(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText(s.labels, ['le', formatValue(b)])} ${s.counts[i] as number}`));
      out.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

type Family = Readonly<{ kind: 'static'; metric: Counter | Gauge | Histogram; type: MetricType }> | Readonly<{ kind: 'collector'; collect: () => readonly CollectedFamily[] }>;

/**
 * Holds metric families in registration order and writes them as one
 * Prometheus text exposition. Collectors run at every scrape; a collector
 * that throws is skipped (counted in `utp_metrics_collector_errors_total`).
 */
export class MetricsRegistry {
  private readonly families: Family[] = [];
  private readonly names = new Set<string>();
  private collectorErrors = 0;

  /** Registers and returns a counter. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames), 'counter');
  }

  /** Registers and returns a gauge. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames), 'gauge');
  }

  /** Registers and returns a histogram. */
  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets), 'histogram');
  }

  /** Registers a function computing families from live state at scrape time. */
  collector(collect: () => readonly CollectedFamily[]): void {
    this.families.push({ kind: 'collector', collect });
  }

  /** The exposition text: per family `# HELP`, `# TYPE`, then its samples; newline-terminated. */
  render(): string {
    const out: string[] = [];
    const seen = new Set<string>();
    const head = (name: string, help: string, type: MetricType) => {
      out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    };
    for (const f of this.families) {
      if (f.kind === 'static') {
        head(f.metric.name, f.metric.help, f.type);
        out.push(...f.metric.lines());
        continue;
      }
      let collected: readonly CollectedFamily[];
      try {
        collected = f.collect();
      } catch {
        this.collectorErrors += 1;
        continue;
      }
      for (const c of collected) {
        if (!METRIC_NAME.test(c.name) || seen.has(c.name) || this.names.has(c.name)) continue;
        seen.add(c.name);
        head(c.name, c.help, c.type);
        for (const s of c.samples) out.push(`${c.name}${labelText(s.labels)} ${formatValue(s.value)}`);
      }
    }
    head('utp_metrics_collector_errors_total', 'Scrape-time collectors that threw and were skipped', 'counter');
    out.push(`utp_metrics_collector_errors_total ${this.collectorErrors}`);
    return `${out.join('\n')}\n`;
  }

  private add<M extends Counter | Gauge | Histogram>(metric: M, type: MetricType): M {
    if (this.names.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.names.add(metric.name);
    this.families.push({ kind: 'static', metric, type });
    return metric;
  }
}
