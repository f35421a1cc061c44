/**
 * The hand-written Prometheus exposition: exact text for a small registry,
 * label and HELP escaping read back by an independent parser, histogram
 * bucket rules, and collectors (including a throwing one).
 */
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from '../../../src/server/metrics/index.js';
import { parsePromText, parseSampleLine } from './promText.js';

describe('MetricsRegistry exposition', () => {
  it('writes HELP, TYPE and samples exactly', () => {
    const r = new MetricsRegistry();
    const c = r.counter('demo_requests_total', 'Requests served', ['route']);
    const g = r.gauge('demo_queue', 'Queue depth');
    const h = r.histogram('demo_seconds', 'Latency', ['tool'], [0.1, 1]);
    c.inc({ route: '/a' });
    c.inc({ route: '/a' }, 2);
    c.inc({ route: '/b' });
    g.set(undefined, 7);
    h.observe({ tool: 'x' }, 0.05);
    h.observe({ tool: 'x' }, 0.5);
    h.observe({ tool: 'x' }, 3);
    expect(r.render()).toBe(
      [
        '# HELP demo_requests_total Requests served',
        '# TYPE demo_requests_total counter',
        'demo_requests_total{route="/a"} 3',
        'demo_requests_total{route="/b"} 1',
        '# HELP demo_queue Queue depth',
        '# TYPE demo_queue gauge',
        'demo_queue 7',
        '# HELP demo_seconds Latency',
        '# TYPE demo_seconds histogram',
        'demo_seconds_bucket{tool="x",le="0.1"} 1',
        'demo_seconds_bucket{tool="x",le="1"} 2',
        'demo_seconds_bucket{tool="x",le="+Inf"} 3',
        'demo_seconds_sum{tool="x"} 3.55',
        'demo_seconds_count{tool="x"} 3',
        '# HELP utp_metrics_collector_errors_total Scrape-time collectors that threw and were skipped',
        '# TYPE utp_metrics_collector_errors_total counter',
        'utp_metrics_collector_errors_total 0',
        '',
      ].join('\n'),
    );
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('escapes label values and HELP so a parser reads back the original text', () => {
    const r = new MetricsRegistry();
    const nasty = 'C:\\feeds\\"spot"\nline2';
    r.counter('demo_total', 'Help with \\ backslash\nand newline', ['path']).inc({ path: nasty });
    const text = r.render();
    expect(text).toContain('demo_total{path="C:\\\\feeds\\\\\\"spot\\"\\nline2"} 1');
    expect(text).toContain('# HELP demo_total Help with \\\\ backslash\\nand newline');
    const family = parsePromText(text).find((f) => f.name === 'demo_total')!;
    expect(family.help).toBe('Help with \\ backslash\nand newline');
    expect(family.samples).toEqual([{ name: 'demo_total', labels: { path: nasty }, value: 1 }]);
    expect(escapeLabelValue('a"b')).toBe('a\\"b');
  });

  it('formats special values', () => {
    expect([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(0.25), formatValue(1e-7)]).toEqual(['+Inf', '-Inf', 'NaN', '0.25', '1e-7']);
    expect(parseSampleLine('x 1e-7', 1).value).toBe(1e-7);
  });

  it('keeps histogram buckets cumulative with +Inf equal to _count', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('lat_seconds', 'Latency', ['tool', 'transport']);
    const values = [0.0001, 0.0004, 0.002, 0.002, 0.03, 0.7, 4, 12, 99];
    values.forEach((v, i) => h.observe({ tool: 'get_candles', transport: i % 2 ? 'mcp' : 'rest' }, v));
    const family = parsePromText(r.render()).find((f) => f.name === 'lat_seconds')!;
    expect(family.type).toBe('histogram');
    const rest = family.samples.filter((s) => s.labels.transport === 'rest');
    const inf = rest.find((s) => s.labels.le === '+Inf')!;
    expect(inf.value).toBe(5);
    expect(rest.find((s) => s.name === 'lat_seconds_count')!.value).toBe(5);
    expect(rest.find((s) => s.name === 'lat_seconds_sum')!.value).toBeCloseTo(0.0001 + 0.002 + 0.03 + 4 + 99, 10);
    expect(rest.find((s) => s.labels.le === '0.0005')!.value).toBe(1);
    expect(rest.find((s) => s.labels.le === '10')!.value).toBe(4);
    expect(h.count({ tool: 'get_candles', transport: 'mcp' })).toBe(4);
  });

  it('the reader rejects broken expositions (so passing it means something)', () => {
    expect(() => parsePromText('a_total 1')).toThrow(/newline/);
    expect(() => parsePromText('# TYPE a counter\na -1\n')).toThrow(/negative counter/);
    expect(() => parsePromText('# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n')).toThrow(/not contiguous/);
    expect(() => parsePromText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow(/cumulative/);
    expect(() => parsePromText('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n')).toThrow(/\+Inf/);
    expect(() => parsePromText('a{x="unterminated} 1\n')).toThrow();
    expect(() => parsePromText('a{x="bad\\q"} 1\n')).toThrow(/escape/);
  });

  it('refuses invalid names, duplicate registration and negative increments', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid metric name/);
    expect(() => r.gauge('ok_name', 'x', ['le'])).toThrow(/invalid label name/);
    r.gauge('dup', 'x');
    expect(() => r.counter('dup', 'x')).toThrow(/twice/);
    expect(() => r.counter('c_total', 'x').inc(undefined, -1)).toThrow(/decrease/);
  });

  it('runs collectors at scrape time and skips one that throws', () => {
    const r = new MetricsRegistry();
    let depth = 1;
    r.collector(() => [{ name: 'live_depth', help: 'Depth', type: 'gauge', samples: [{ value: depth }] }]);
    r.collector(() => {
      throw new Error('boom');
    });
    expect(r.render()).toContain('live_depth 1\n');
    depth = 5;
    const text = r.render();
    expect(text).toContain('live_depth 5\n');
    expect(text).toContain('utp_metrics_collector_errors_total 2\n');
    parsePromText(text);
  });
});
