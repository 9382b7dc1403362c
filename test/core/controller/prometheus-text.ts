// A strict parser of Prometheus' text exposition format (version 0.0.4), for tests that scrape
// the controller: every line must be a HELP, a TYPE or a sample of a declared family, label
// values are unescaped, and a histogram's buckets must be cumulative and end at +Inf = _count.
// It does not read timestamps' meaning or OpenMetrics (no `# EOF`, no exemplars).

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case, so prom-client's
 * `Nan` (an event-loop lag not measured yet) is a value. */
function number(text: string, line: string): number {
  const word = text.toLowerCase();
  if (word === '+inf' || word === 'inf') return Infinity;
  if (word === '-inf') return -Infinity;
  if (word === 'nan') return NaN;
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new Error(`not a number "${text}" in: ${line}`);
  return n;
}

/** `{a="x",b="y\"z"}` from `at` (the `{`); the labels and where parsing stopped. */
function labels(line: string, at: number): { labels: Record<string, string>; end: number } {
  const out: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    if (line[i] === '}') return { labels: out, end: i + 1 };
    const eq = line.indexOf('=', i);
    const name = line.slice(i, eq);
    if (eq < 0 || !LABEL.test(name)) throw new Error(`bad label name at ${i} in: ${line}`);
    if (line[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] !== '\\') {
        value += line[j];
        continue;
      }
      const next = line[++j];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else throw new Error(`bad escape \\${next ?? ''} in: ${line}`);
    }
    if (j >= line.length) throw new Error(`unterminated label value in: ${line}`);
    if (Object.hasOwn(out, name)) throw new Error(`label ${name} twice in: ${line}`);
    out[name] = value;
    i = j + 1;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`expected , or } at ${i} in: ${line}`);
  }
}

/** The family a sample belongs to: its own name, or a histogram's/summary's with a suffix. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const own = families.get(name);
  if (own) return own;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = m?.[1] === undefined ? undefined : families.get(m[1]);
  if (base?.type === 'histogram') return base;
  if (base?.type === 'summary' && m?.[2] !== 'bucket') return base;
  return undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  const counts = new Map<string, number>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${s.name} without le`);
      series.set(key, [...(series.get(key) ?? []), s]);
    } else if (s.name.endsWith('_count')) counts.set(key, s.value);
  }
  for (const [key, buckets] of series) {
    const sorted = [...buckets].sort(
      (a, b) => number(a.labels.le ?? '', '') - number(b.labels.le ?? '', ''),
    );
    for (let i = 1; i < sorted.length; i++) {
      if ((sorted[i]?.value ?? 0) < (sorted[i - 1]?.value ?? 0))
        throw new Error(`${family.name} buckets not cumulative for ${key}`);
    }
    const last = sorted[sorted.length - 1];
    if (last?.labels.le !== '+Inf') throw new Error(`${family.name} ${key}: no +Inf bucket`);
    if (last.value !== counts.get(key)) throw new Error(`${family.name} ${key}: +Inf ≠ _count`);
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const declare = (name: string): Family => {
    if (!NAME.test(name)) throw new Error(`bad metric name "${name}"`);
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, type: 'untyped', help: '', samples: [] }));
    return family;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const family = declare(meta[2] ?? '');
      if (meta[1] === 'HELP') family.help = meta[3] ?? '';
      else if (TYPES.has(meta[3] ?? '')) family.type = meta[3] as Family['type'];
      else throw new Error(`bad TYPE in: ${line}`);
      continue;
    }
    if (line.startsWith('#')) continue; // a comment
    const nameEnd = line.search(/[{ ]/);
    const name = line.slice(0, nameEnd);
    if (nameEnd < 0 || !NAME.test(name)) throw new Error(`bad sample line: ${line}`);
    const parsed = line[nameEnd] === '{' ? labels(line, nameEnd) : { labels: {}, end: nameEnd };
    const rest = line.slice(parsed.end).trim().split(/\s+/);
    if (rest.length < 1 || rest.length > 2) throw new Error(`bad value in: ${line}`);
    const family = familyOf(name, families);
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    family.samples.push({ name, labels: parsed.labels, value: number(rest[0] ?? '', line) });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = familyOf(name, families);
  const matching = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matching.reduce((sum, s) => sum + s.value, 0);
}
