/**
 * An independent, strict reader of the Prometheus text exposition format
 * 0.0.4, written from the format's documentation (not from the code under
 * test): HELP/TYPE lines, sample lines with escaped label values, and the
 * histogram rules (cumulative buckets in increasing `le`, a `+Inf` bucket equal
 * to `_count`, a `_sum`). Throws on the first violation with the line number.
 */

export type PromSample = { name: string; labels: Record<string, string>; value: number };
export type PromFamily = { name: string; help: string | null; type: string | null; samples: PromSample[] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value ${text}`);
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Parses `name{a="x",b="y"} value`, honouring \\, \" and \n escapes in label values. */
export function parseSampleLine(text: string, line: number): PromSample {
  const m = NAME.exec(text);
  if (!m) throw new Error(`line ${line}: no metric name in ${text}`);
  const name = m[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    while (text[i] !== '}') {
      const lm = LABEL.exec(text.slice(i));
      if (!lm) throw new Error(`line ${line}: bad label name at ${i}`);
      const label = lm[0];
      i += label.length;
      if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`line ${line}: expected =" after ${label}`);
      i += 2;
      let value = '';
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
        if (c === '"') break;
        if (c === '\n') throw new Error(`line ${line}: raw newline in label value`);
        if (c === '\\') {
          const n = text[i + 1];
          if (n === '\\') value += '\\';
          else if (n === '"') value += '"';
          else if (n === 'n') value += '\n';
          else throw new Error(`line ${line}: bad escape \\${n}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      if (label in labels) throw new Error(`line ${line}: duplicate label ${label}`);
      labels[label] = value;
      if (text[i] === ',') i++;
      else if (text[i] !== '}') throw new Error(`line ${line}: expected , or } at ${i}`);
    }
    i++;
  }
  if (text[i] !== ' ') throw new Error(`line ${line}: expected a space before the value`);
  const rest = text.slice(i + 1).split(' ');
  if (rest.length > 2) throw new Error(`line ${line}: trailing garbage`);
  if (rest.length === 2 && !/^-?\d+$/.test(rest[1] as string)) throw new Error(`line ${line}: bad timestamp`);
  return { name, labels, value: parseValue(rest[0] as string, line) };
}

/** The family a sample belongs to (histogram suffixes stripped when the base is a histogram). */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (types.get(base) === 'histogram' || types.get(base) === 'summary') return base;
    }
  }
  return name;
}

/** Parses and checks a whole exposition; returns the families in order. */
export function parsePromText(text: string): PromFamily[] {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, PromFamily>();
  const types = new Map<string, string>();
  const closed = new Set<string>();
  let current: string | null = null;
  const enter = (name: string, line: number) => {
    if (current !== name) {
      if (closed.has(name)) throw new Error(`line ${line}: family ${name} is not contiguous`);
      if (current !== null) closed.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) {
      f = { name, help: null, type: null, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  text
    .slice(0, -1)
    .split('\n')
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') return;
      if (raw.startsWith('#')) {
        const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(raw);
        if (!m) return; // plain comment
        const [, kind, name, rest] = m as unknown as [string, string, string, string];
        const f = enter(name, line);
        if (kind === 'HELP') {
          if (f.help !== null) throw new Error(`line ${line}: second HELP for ${name}`);
          if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`line ${line}: bad escape in HELP`);
          f.help = unescapeHelp(rest);
        } else {
          if (f.type !== null) throw new Error(`line ${line}: second TYPE for ${name}`);
          if (f.samples.length > 0) throw new Error(`line ${line}: TYPE after samples of ${name}`);
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: bad type ${rest}`);
          f.type = rest;
          types.set(name, rest);
        }
        return;
      }
      const s = parseSampleLine(raw, line);
      const f = enter(familyOf(s.name, types), line);
      if (f.type === 'counter' && !(s.value >= 0)) throw new Error(`line ${line}: negative counter ${s.name}`);
      f.samples.push(s);
    });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return [...families.values()];
}

function checkHistogram(f: PromFamily): void {
  const series = new Map<string, { buckets: { le: number; v: number }[]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      entry.buckets.push({ le: parseValue(le, 0), v: s.value });
    } else if (s.name === `${f.name}_sum`) entry.sum = s.value;
    else if (s.name === `${f.name}_count`) entry.count = s.value;
    else throw new Error(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, e] of series) {
    if (e.buckets.length === 0 || e.sum === undefined || e.count === undefined) throw new Error(`${f.name}${key}: needs buckets, _sum and _count`);
    for (let i = 1; i < e.buckets.length; i++) {
      const a = e.buckets[i - 1]!;
      const b = e.buckets[i]!;
      if (!(b.le > a.le)) throw new Error(`${f.name}${key}: le not increasing`);
      if (b.v < a.v) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
    const last = e.buckets[e.buckets.length - 1]!;
    if (last.le !== Infinity) throw new Error(`${f.name}${key}: last bucket is not +Inf`);
    if (last.v !== e.count) throw new Error(`${f.name}${key}: +Inf bucket ${last.v} != _count ${e.count}`);
  }
}
