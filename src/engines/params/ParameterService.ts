/**
 * The versioned trading parameters of the running system. Every applied
 * change, rollback and automatic rollback is a new version (append-only
 * history; the highest version is the one in effect). A change is validated
 * (schema, then a dry run of DTMS and exits over recent recorded candles)
 * before it is written; after it is written the subscribers are told and a
 * health check runs, and a failed health check restores the previous
 * parameters at once as another version that says why.
 */
import { ConfigError, InvalidRequestError, type Cancel, type Clock, type SymbolRules } from '../../core/index.js';
import { dtmsStep, initialDtmsState } from '../dtms/index.js';
import { exitsStep, initialExitsState } from '../exits/index.js';
import { RiskEngine } from '../risk/index.js';
import { dryRun, type DryRunOptions, type DryRunReport, type RecentCandles } from './dryRun.js';
import { dtmsConfigOf, exitsConfigOf, riskConfigOf } from './engineConfigs.js';
import { DEFAULT_PARAMETER_SET, isPlainObject, mergeParameters, parseParameterSet, type ParameterSet } from './schema.js';
import type { HealthCheck, HealthResult, ParameterStorePort, ParameterValidationResult, ParameterVersion, ParameterVersionRecordPort } from './types.js';

/** How the service is built. */
export type ParameterServiceOptions = Readonly<{
  /** Where versions are kept (the store's `ParameterRepo`). */
  store: ParameterStorePort;
  clock: Clock;
  /** Symbols the dry run replays. */
  symbols: readonly string[];
  /** Broker rules per symbol (digits, volume step, stops level), as the trading desk uses them. */
  rules: Readonly<Record<string, SymbolRules>>;
  /** Latest recorded M5 candles of a symbol (the store's candle repo). */
  candles: RecentCandles;
  /** Dry run of `validate` (default `DEFAULT_DRY_RUN`). */
  dryRun?: Partial<DryRunOptions>;
  /** Health check after each applied change (default `defaultHealthCheck`: a dry run over the last hour plus the engines accepting the configs). */
  healthCheck?: HealthCheck;
  /** Overrides of the engine defaults for version 1 only (e.g. the risk settings of the server config); ignored once a version exists. */
  initial?: Readonly<Record<string, unknown>>;
  /** A subscriber that threw (isolated: the others still run). */
  onError?: (error: unknown) => void;
}>;

/** Listener of the version in effect: told of every change (applied, rolled back, or found by `refresh`). */
export type ParameterListener = (current: ParameterVersion, previous: ParameterVersion) => void;

/** The service; structurally the tools' `ParametersView` plus what the desk and the server need. */
export type ParameterService = ReturnType<typeof createParameterService>;

/**
 * The default health check: a dry run over the last hour with an entry at
 * every bar, and every engine accepting the configs it builds (DTMS and exits
 * per symbol open a position, the risk engine decides an action).
 */
export function defaultHealthCheck(o: Pick<ParameterServiceOptions, 'clock' | 'symbols' | 'rules' | 'candles'>): HealthCheck {
  return (params) => {
    const reasons: string[] = [];
    try {
      for (const symbol of o.symbols) {
        // A synthetic long at 100 with its stop at 99, one step on a flat market: DTMS and exits must take the configs.
        const open = { ticket: 'health', symbol, side: 'buy' as const, openPrice: 100, openTime: 0, sl: 99, volume: 1 };
        const market = { price: { bid: 100, ask: 100, last: 100 }, atr: 1, candles: [], volatilityState: null };
        const exits = exitsConfigOf(params, o.rules[symbol]);
        dtmsStep(initialDtmsState(open), { ...market, events: [] }, 1, dtmsConfigOf(params, o.rules[symbol]));
        exitsStep(initialExitsState(open, exits), { ...market, vix: null }, 1, exits);
      }
      const risk = new RiskEngine(o.clock, [], riskConfigOf(params));
      const decision = risk.check({ kind: 'close', symbol: o.symbols[0] ?? 'BTCUSD', increasesExposure: false });
      if (!decision.allowed) reasons.push(`risk engine refuses a close under the new parameters: ${decision.reason}`);
    } catch (error) {
      reasons.push(`an engine refused the parameters: ${error instanceof Error ? error.message : String(error)}`);
    }
    const report = dryRun(params, o.symbols, o.rules, o.candles, { hours: 1, entryEveryBars: 1 });
    reasons.push(...report.issues.map((i) => `dry run (last hour): ${i}`));
    return reasons.length === 0 ? { ok: true, reasons: [] } : { ok: false, reasons };
  };
}

/** Builds the service; writes version 1 (the engines' defaults) when the store has none. @throws ConfigError when the version in effect no longer passes the schema. */
export function createParameterService(o: ParameterServiceOptions) {
  const health = o.healthCheck ?? defaultHealthCheck(o);
  const listeners = new Set<ParameterListener>();
  if (o.store.latest() === null) {
    const first = parseParameterSet(mergeParameters(DEFAULT_PARAMETER_SET, o.initial ?? {}));
    if (!first.ok) throw new ConfigError('the initial parameters do not pass the schema', first.reasons);
    const reason = o.initial === undefined ? 'engine defaults at first start' : `engine defaults at first start, with ${describeChanges(DEFAULT_PARAMETER_SET, first.params).join('; ') || 'no overrides'}`;
    try {
      o.store.append({ createdAt: o.clock.now(), createdBy: 'default', reason, params: first.params }, null);
    } catch {
      // another process wrote version 1 first; read it below
    }
  }
  let active = load(requireLatest());
  let queue: Promise<unknown> = Promise.resolve();
  const watches = new Set<Cancel>();

  function requireLatest(): ParameterVersionRecordPort {
    const r = o.store.latest();
    if (r === null) throw new ConfigError('no parameter version is stored');
    return r;
  }
  function load(r: ParameterVersionRecordPort): { record: ParameterVersionRecordPort; params: ParameterSet } {
    const p = parseParameterSet(r.params);
    if (!p.ok) throw new ConfigError(`parameter version ${r.version} does not pass the schema`, p.reasons);
    return { record: r, params: p.params };
  }
  const view = (r: ParameterVersionRecordPort): ParameterVersion =>
    Object.freeze({ version: r.version, createdAt: r.createdAt, createdBy: r.createdBy, reason: r.reason, params: r.params, active: r.version === active.record.version, parent: r.parent, restores: r.restores });
  const setActive = (r: ParameterVersionRecordPort): void => {
    const before = active.record;
    active = load(r);
    const previous = view(before);
    const current = view(r);
    for (const l of [...listeners]) {
      try {
        l(current, previous);
      } catch (error) {
        o.onError?.(error);
      }
    }
  };
  /** One write at a time in this process (apply, rollback). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  async function validate(change: Readonly<Record<string, unknown>>): Promise<ParameterValidationResult> {
    if (!isPlainObject(change)) return { ok: false, reasons: ['the change must be an object with sections dtms, exits or risk'] };
    const merged = mergeParameters(active.params, change);
    const parsed = parseParameterSet(merged);
    if (!parsed.ok) return { ok: false, reasons: parsed.reasons };
    const changes = describeChanges(active.params, parsed.params);
    if (changes.length === 0) return { ok: false, reasons: [`the change leaves version ${active.record.version} as it is`] };
    const report = dryRun(parsed.params, o.symbols, o.rules, o.candles, o.dryRun);
    if (!report.ok) return { ok: false, reasons: report.issues.map((i) => `dry run: ${i}`), dryRun: report };
    return { ok: true, params: parsed.params, summary: `${changes.join('; ')}; dry run: ${dryRunSummary(report)}`, dryRun: report, base: active.record.version };
  }

  const service = {
    /** The version in effect. */
    current: (): ParameterVersion => view(active.record),
    /** The parameters in effect, typed. */
    currentParams: (): ParameterSet => active.params,
    /** The latest `limit` versions, newest first. */
    list: (limit: number): readonly ParameterVersion[] => o.store.list(Math.max(0, Math.floor(limit))).map(view),
    /** One version, or null. */
    get: (version: number): ParameterVersion | null => {
      const r = o.store.get(version);
      return r ? view(r) : null;
    },
    /** Schema check, then the dry run; nothing is written. */
    validate,
    /**
     * Validates again and writes the change as a new version, tells the
     * subscribers, then runs the health check; on failure the previous
     * parameters are restored as another version (`auto-rollback`), which is
     * what this returns (`healthy: false`, the reasons in `health`). With
     * `baseVersion` (the `base` its validation reported, e.g. when the request
     * was approved), the change is refused when another version took effect
     * since, because the merged set would differ from the one approved.
     * @throws InvalidRequestError with every reason when the change is refused.
     */
    apply: (change: Readonly<Record<string, unknown>>, by: string, reason: string, baseVersion?: number): Promise<ParameterVersion & ApplyOutcome> =>
      serial(async () => {
        if (baseVersion !== undefined && baseVersion !== active.record.version) {
          throw new InvalidRequestError(`parameter change refused: it was validated against version ${baseVersion} but version ${active.record.version} is now in effect`);
        }
        const v = await validate(change);
        if (!v.ok) throw new InvalidRequestError(`parameter change refused: ${v.reasons.join('; ')}`);
        const before = active.record;
        const written = o.store.append({ createdAt: o.clock.now(), createdBy: by, reason: `${reason} (${v.summary})`, params: v.params }, before.version);
        setActive(written);
        let result: HealthResult;
        try {
          result = await health(active.params, written.version);
        } catch (error) {
          result = { ok: false, reasons: [`health check threw: ${error instanceof Error ? error.message : String(error)}`] };
        }
        if (result.ok) return { ...view(written), applied: written.version, healthy: true, health: result.reasons };
        const back = o.store.append(
          { createdAt: o.clock.now(), createdBy: 'auto-rollback', reason: `health check of version ${written.version} failed (${result.reasons.join('; ')}): restored version ${before.version}`, params: before.params, restores: before.version },
          written.version,
        );
        setActive(back);
        return { ...view(back), applied: written.version, healthy: false, health: result.reasons };
      }),
    /**
     * Makes the parameters of an earlier version current again, as a new
     * version (schema check only: no dry run and no health check, so the
     * emergency path is never blocked by the data).
     * @throws InvalidRequestError when the version does not exist, no longer passes the schema, or is already in effect.
     */
    rollback: (version: number, by: string, reason: string): Promise<ParameterVersion> =>
      serial(async () => {
        const target = o.store.get(version);
        if (target === null) throw new InvalidRequestError(`parameter version ${version} does not exist`);
        const p = parseParameterSet(target.params);
        if (!p.ok) throw new InvalidRequestError(`parameter version ${version} no longer passes the schema: ${p.reasons.join('; ')}`);
        if (describeChanges(active.params, p.params).length === 0) throw new InvalidRequestError(`the parameters of version ${version} are already in effect (version ${active.record.version})`);
        const written = o.store.append({ createdAt: o.clock.now(), createdBy: by, reason, params: target.params, restores: version }, active.record.version);
        setActive(written);
        return view(written);
      }),
    /** Subscribes to the version in effect; returns the unsubscribe. */
    onChange(listener: ParameterListener): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    /** Re-reads the version in effect (another process may have written one, e.g. `utp params rollback`); true when it changed. */
    refresh(): boolean {
      const latest = requireLatest();
      if (latest.version === active.record.version) return false;
      setActive(latest);
      return true;
    },
    /** Polls `refresh` every `intervalMs` on the clock; returns the cancel. A failing poll goes to `onError`. */
    watch(intervalMs: number): Cancel {
      const cancel = o.clock.setInterval(() => {
        try {
          service.refresh();
        } catch (error) {
          o.onError?.(error);
        }
      }, intervalMs);
      const stop = (): void => {
        cancel();
        watches.delete(stop);
      };
      watches.add(stop);
      return stop;
    },
    /** Cancels every watch and drops the subscribers. */
    stop(): void {
      for (const w of [...watches]) w();
      listeners.clear();
    },
    /** The dry run of a full set (for the CLI and tests). */
    dryRun: (params: ParameterSet, options?: Partial<DryRunOptions>): DryRunReport => dryRun(params, o.symbols, o.rules, o.candles, { ...o.dryRun, ...options }),
  };
  return service;
}

/** What `apply` adds to the version it returns. */
export type ApplyOutcome = Readonly<{
  /** The version the change was written as. */
  applied: number;
  /** False when the health check failed and the returned version is the automatic rollback. */
  healthy: boolean;
  /** The health check's reasons (empty when healthy). */
  health: readonly string[];
}>;

/** `path: from -> to` for every leaf that differs (arrays compared whole). */
export function describeChanges(from: unknown, to: unknown, path = ''): string[] {
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
    return keys.flatMap((k) => describeChanges(from[k], to[k], path === '' ? k : `${path}.${k}`));
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [`${path}: ${JSON.stringify(from)} -> ${JSON.stringify(to)}`];
}

function dryRunSummary(r: DryRunReport): string {
  const checked = r.symbols.filter((s) => s.skipped === null);
  const parts = checked.map((s) => `${s.symbol} ${s.positions} positions over ${s.bars} bars (${s.dtmsActions} DTMS, ${s.exitsActions} exits actions)`);
  const skipped = r.symbols.filter((s) => s.skipped !== null).map((s) => `${s.symbol} not checked (${s.skipped})`);
  return [...parts, ...skipped].join(', ') || 'no symbols';
}
