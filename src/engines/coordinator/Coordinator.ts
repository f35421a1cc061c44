/**
 * The coordinator: the part of UTP that manages open positions whether or
 * not a model is connected. Per decision and per position, in priority
 * order: risk (equity fed first, every command checked), DTMS, the optional
 * exits engine, then the analysis lane (`requestEntry`). At most one command
 * per position per decision (see `selectAction`); in `shadow` mode decisions
 * are recorded, not sent. Every DTMS action, decline, denial and deferral is
 * journalled through `record` (the `dtms.action` topic).
 *
 * Triggers: a closed candle of the managed timeframe (`onCandle`) and, when
 * `tickDecisions` is on (default), every tick (`onTick`) start a decision for
 * the positions of that symbol; structure events (`onStructure`) and
 * volatility readings (`onVolatility`) are buffered and consumed by the next
 * decision. Binance candles and structure events are put in broker terms (the
 * offset in force) on arrival, so ATR, swings and invalidation compare like
 * with like against the broker's stops. Decisions run one at a time in arrival
 * order (`idle()` resolves when the queue is empty): a replay is deterministic.
 */
import type { Candle, Clock, DtmsActionRecord, EventBus, ExecutionVenue, OffsetUpdate, Position, Source, StructureEvent, Tick, Timeframe } from '../../core/index.js';
import type { VolatilityBridgeReading } from '../../core/types/Volatility.js';
import { DEFAULT_DTMS_CONFIG, dtmsStep, initialDtmsState, type DtmsConfig, type DtmsMarket, type DtmsState } from '../dtms/index.js';
import type { RiskAction, RiskEngine } from '../risk/index.js';
import { CoordinatorMarkets } from './coordinatorMarkets.js';
import type { LoadMonitor } from './LoadMonitor.js';
import { selectAction, type Chosen } from './select.js';
import { HEDGE_COMMENT, sendChosen } from './send.js';
import type { CoordinatorStatus, EntryRequest, EntryResult, ExitsAdviser, ManagedPosition, RecordSink, TradingMode } from './types.js';

/** Construction options. */
export type CoordinatorOptions = Readonly<{
  clock: Clock;
  venue: ExecutionVenue;
  risk: RiskEngine;
  /** Mode of each symbol. */
  modeOf: (symbol: string) => TradingMode;
  record: RecordSink;
  dtmsConfig?: (symbol: string) => DtmsConfig;
  exits?: ExitsAdviser | null;
  /** Enrol every venue position that has a stop (default true; hedges opened by DTMS never are). */
  autoEnroll?: boolean;
  /** Decide on every tick, not only on candle closes (default true). */
  tickDecisions?: boolean;
  /** Timeframe DTMS manages on (default M5). */
  timeframe?: Timeframe;
  loop?: LoadMonitor;
  /** Source of a symbol's primary candle stream, whose structure events the coordinator receives (default binance: shifted by the offset). */
  structureSourceOf?: (symbol: string) => Source;
  onError?: (error: unknown) => void;
}>;

/** Runs risk → DTMS → exits → analysis for every position, one decision at a time. */
export class Coordinator {
  private readonly managed = new Map<string, DtmsState>();
  private readonly finished = new Map<string, DtmsState>();
  private readonly unmanaged = new Set<string>();
  /** Last stop sent per ticket, and the last stop a command was attempted for (no retry of the same value). */
  private readonly commandedSl = new Map<string, number>();
  private readonly attemptedSl = new Map<string, number>();
  private readonly shadowedSl = new Map<string, number>(); // only shadowed: kept apart, so going live reconciles the venue stop
  private readonly markets = new CoordinatorMarkets();
  private chain: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>(); // symbols with a decision queued and not started yet
  private decisions = 0;
  private lastDecisionAt: number | null = null;
  /** Timeframe DTMS manages on (closed candles of it start decisions). */
  private readonly timeframe: Timeframe;

  constructor(private readonly o: CoordinatorOptions) {
    this.timeframe = o.timeframe ?? 'M5';
  }

  /** A closed candle: converted to broker terms, buffered, and a decision for its symbol when it is of the managed timeframe. */
  onCandle(closed: Candle): Promise<void> {
    if (closed.timeframe !== this.timeframe || !closed.closed) return this.chain;
    return this.decide(this.markets.candle(closed).symbol);
  }

  /** A structure event of the managed timeframe, in broker terms, consumed by the next decision. */
  onStructure(event: StructureEvent): void {
    if (event.timeframe !== this.timeframe) return;
    const binance = (this.o.structureSourceOf?.(event.symbol) ?? 'binance') === 'binance';
    this.markets.structure(event, binance);
  }

  /** An offset calibration (`offset.updated`): the offset in force for the symbol's next Binance candles and events. */
  onOffset(update: OffsetUpdate): void {
    this.markets.setOffset(update.symbol, update.offset);
  }

  /** The offset in force for a symbol (0 before any calibration). */
  offset(symbol: string): number {
    return this.markets.offset(symbol);
  }

  /** The latest volatility state of a symbol (for DTMS data and risk gating). */
  onVolatility(reading: VolatilityBridgeReading): void {
    this.markets.volatility(reading.symbol, reading.state);
    this.o.risk.setVolatility(reading.symbol, reading.state);
  }

  /** A fused tick: the price of the next decisions, and a decision itself when `tickDecisions` is on. */
  onTick(tick: Tick): Promise<void> {
    this.markets.tick(tick);
    return this.o.tickDecisions === false ? this.chain : this.decide(tick.symbol);
  }

  /** Subscribes to `offset.updated`, `tick.fused`, `candle.closed` (filtered by `acceptCandle`), `structure.event` and `volatility.m5`; returns the unsubscribe. */
  attach(bus: EventBus, acceptCandle: (c: Candle) => boolean = () => true): () => void {
    const offs = [
      bus.subscribe('offset.updated', (u) => this.onOffset(u)),
      bus.subscribe('structure.event', (e) => this.onStructure(e)),
      bus.subscribe('volatility.m5', (r) => this.onVolatility(r)),
      bus.subscribe('candle.closed', (c) => void (acceptCandle(c) ? this.onCandle(c) : undefined)),
      bus.subscribe('tick.fused', (t) => void this.onTick(t)),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Resolves once every queued decision ran. */
  idle(): Promise<void> {
    return this.chain;
  }

  /**
   * Queues a decision for every position of `symbol`, unless one is already
   * queued and not started: that one reads the newest price, candles and
   * events when it runs, so a burst of ticks (e.g. while a venue command is in
   * flight) costs one decision, not one per tick.
   */
  decide(symbol: string): Promise<void> {
    if (this.queued.has(symbol)) return this.chain;
    this.queued.add(symbol);
    this.chain = this.chain
      .then(() => {
        this.queued.delete(symbol);
        return this.run(symbol);
      })
      .catch((error: unknown) => this.o.onError?.(error));
    return this.chain;
  }

  /** Puts a venue position under DTMS (its stop defines R); answers the state, or null without a stop. */
  enroll(position: Position, invalidation?: number): DtmsState | null {
    const now = this.o.clock.now();
    if (position.sl === null) {
      this.unmanaged.add(position.ticket);
      this.journal(position.ticket, position.symbol, 'enroll', 'declined', 'position has no stop: DTMS needs one to define R', null, null, { volume: position.volume }, now);
      return null;
    }
    const state = initialDtmsState({ ticket: position.ticket, symbol: position.symbol, side: position.side, openPrice: position.openPrice, openTime: position.openTime, sl: position.sl, volume: position.volume, ...(invalidation === undefined ? {} : { invalidation }) });
    this.managed.set(position.ticket, state);
    this.commandedSl.set(position.ticket, position.sl);
    this.journal(position.ticket, position.symbol, 'enroll', 'recorded', 'position enrolled in DTMS', null, state.phase, { side: state.side, openPrice: state.openPrice, sl: state.sl, risk: state.risk, volume: state.volume }, now);
    return state;
  }

  /** The analysis lane: an entry checked by risk, then sent unless the symbol is in shadow; a filled entry with a stop is enrolled. */
  async requestEntry(req: EntryRequest): Promise<EntryResult> {
    await this.chain;
    const now = this.o.clock.now();
    this.o.risk.onEquity(this.o.venue.account().equity);
    const ref = `entry:${req.idempotencyKey}`;
    const data = { side: req.side, volume: req.volume, sl: req.sl, tp: req.tp };
    const decision = this.o.risk.check({ kind: 'open', symbol: req.symbol, side: req.side, increasesExposure: true, volume: req.volume, ...(req.m1Logic === undefined ? {} : { m1Logic: req.m1Logic }) });
    if (!decision.allowed) {
      this.journal(ref, req.symbol, 'open', 'denied', decision.reason, null, null, { ...data, rule: decision.rule }, now);
      return { decision, sent: false, retcode: null, ticket: null, message: decision.reason };
    }
    if (this.o.modeOf(req.symbol) === 'shadow') {
      this.journal(ref, req.symbol, 'open', 'shadow', 'shadow mode: entry logged, not sent', null, null, data, now);
      return { decision, sent: false, retcode: null, ticket: null, message: 'shadow mode' };
    }
    const { comment: _c, m1Logic: _m, ...order } = req;
    const res = await this.o.venue.placeOrder({ ...order, comment: req.comment ?? 'utp' });
    this.journal(res.ticket ?? ref, req.symbol, 'open', res.ok ? 'sent' : 'rejected', res.message, null, null, { ...data, retcode: res.retcode, price: res.price }, now);
    if (res.ok && res.ticket !== null && this.o.autoEnroll !== false) {
      const p = this.o.venue.positions().find((x) => x.ticket === res.ticket);
      if (p) this.enroll(p);
    }
    return { decision, sent: res.ok, retcode: res.retcode, ticket: res.ticket, message: res.message };
  }

  /** Venue positions with their DTMS state. */
  positions(): ManagedPosition[] {
    return this.o.venue.positions().map((position) => ({ position, dtms: this.managed.get(position.ticket) ?? null }));
  }

  /** DTMS states: of one ticket (managed or finished), or of every managed position. */
  dtmsStates(ticket?: string): DtmsState[] {
    if (ticket === undefined) return [...this.managed.values()];
    const s = this.managed.get(ticket) ?? this.finished.get(ticket);
    return s ? [s] : [];
  }

  /** Exit plans of the exits engine, or null when it is not wired. */
  exitPlans(ticket?: string): { ticket: string; plan: Readonly<Record<string, unknown>> | null }[] | null {
    const exits = this.o.exits;
    if (!exits) return null;
    const tickets = ticket === undefined ? [...this.managed.keys()] : [ticket];
    return tickets.map((t) => ({ ticket: t, plan: exits.plan?.(t) ?? null }));
  }

  /** Modes, counters and the event-loop delay. */
  status(symbols: readonly string[] = this.markets.symbols()): CoordinatorStatus {
    const modes: Record<string, TradingMode> = {};
    for (const s of symbols) modes[s] = this.o.modeOf(s);
    return { modes, managed: this.managed.size, decisions: this.decisions, lastDecisionAt: this.lastDecisionAt, exitsWired: Boolean(this.o.exits), loop: this.o.loop?.delay() ?? null };
  }

  private async run(symbol: string): Promise<void> {
    const now = this.o.clock.now();
    const market = this.markets.take(symbol);
    this.decisions += 1;
    this.lastDecisionAt = now;
    // 1. Risk first: the equity of this instant.
    this.o.risk.onEquity(this.o.venue.account().equity);
    const venuePositions = this.o.venue.positions().filter((p) => p.symbol === symbol);
    this.sync(symbol, venuePositions);
    for (const p of venuePositions) {
      const state = this.managed.get(p.ticket);
      if (state) await this.manage(p, state, market, now);
    }
  }

  /** Enrols new venue positions, retires the ones the venue no longer has. */
  private sync(symbol: string, venue: readonly Position[]): void {
    const now = this.o.clock.now();
    const open = new Set(venue.map((p) => p.ticket));
    for (const [ticket, s] of this.managed) {
      if (s.symbol !== symbol || open.has(ticket)) continue;
      this.managed.delete(ticket);
      this.commandedSl.delete(ticket);
      this.attemptedSl.delete(ticket);
      this.shadowedSl.delete(ticket);
      const final: DtmsState = { ...s, phase: 'closed' };
      this.finished.set(ticket, final);
      this.journal(ticket, symbol, 'closed_at_venue', 'recorded', 'position no longer open at the venue (stop, target or manual close)', s.phase, 'closed', { sl: s.sl, volume: s.volume }, now);
    }
    if (this.o.autoEnroll === false) return;
    for (const p of venue) {
      if (this.managed.has(p.ticket) || this.unmanaged.has(p.ticket) || this.finished.has(p.ticket)) continue;
      if (p.comment.startsWith(HEDGE_COMMENT)) this.unmanaged.add(p.ticket);
      else this.enroll(p);
    }
  }

  private async manage(p: Position, state: DtmsState, market: DtmsMarket, now: number): Promise<void> {
    const cfg = this.o.dtmsConfig?.(p.symbol) ?? DEFAULT_DTMS_CONFIG;
    const r = dtmsStep(state, market, now, cfg);
    const from = state.phase;
    const to = r.state.phase;
    for (const d of r.considered) this.journal(p.ticket, p.symbol, d.kind, 'declined', d.reason, from, to, { source: 'dtms', rule: d.rule, value: d.value, ...d.data }, now);
    let next: DtmsState = r.state;
    const advice = this.o.exits && next.phase !== 'closed' ? this.o.exits.propose(next, market, now) : null;
    const proposals = advice?.proposals ?? [];
    for (const d of advice?.considered ?? []) this.journal(p.ticket, p.symbol, d.kind, 'declined', d.reason, from, to, { source: 'exits', rule: 'exits', value: d.value, ...d.data }, now);
    const exitPrice = (p.side === 'buy' ? market.price.bid : market.price.ask) ?? market.price.last;
    const sel = selectAction(p.side, exitPrice ?? Number.NaN, state.sl, r.actions, exitPrice === null ? [] : proposals);
    for (const d of sel.declined) this.journal(p.ticket, p.symbol, d.kind, 'declined', `${d.reason}: ${d.why}`, from, to, { source: d.source, rule: d.rule, value: d.value, ...d.data }, now);
    for (const d of sel.deferred) this.journal(p.ticket, p.symbol, d.kind, 'deferred', `${d.reason}: ${d.why}`, from, to, { source: d.source, rule: d.rule, value: d.value, ...d.data }, now);
    let chosen: Chosen | null = sel.chosen;
    // The most protective stop of this decision (chosen now or deferred) becomes the DTMS stop; a deferred one is reconciled later.
    const protective = [chosen, ...sel.deferred].find((c) => c?.kind === 'modify_sl');
    if (protective && (p.side === 'buy' ? protective.value > next.sl : protective.value < next.sl)) next = { ...next, sl: protective.value };
    // A stop DTMS holds but never commanded (deferred, or shadowed before a switch to live): reconcile once per value and mode when nothing
    // else is sent, and only while it keeps the minimum distance (the broker's stops level) from the exit price.
    const commanded = this.commandedSl.get(p.ticket) ?? p.sl;
    const attempted = (this.o.modeOf(p.symbol) === 'shadow' ? this.shadowedSl : this.attemptedSl).get(p.ticket);
    const room = exitPrice === null ? Number.NaN : p.side === 'buy' ? exitPrice - next.sl : next.sl - exitPrice;
    if (chosen === null && next.phase !== 'closed' && commanded !== null && (p.side === 'buy' ? next.sl > commanded : next.sl < commanded) && attempted !== next.sl && room > cfg.minStopDistance) {
      chosen = { source: 'dtms', kind: 'modify_sl', value: next.sl, rule: 'reconcile', reason: 'venue stop behind the DTMS stop (deferred or shadowed earlier): reconcile', data: { venueSl: p.sl } };
    }
    this.managed.set(p.ticket, next);
    if (chosen) await this.execute(p, chosen, from, to, now);
  }

  private async execute(p: Position, c: Chosen, from: string, to: string, now: number): Promise<void> {
    const action: RiskAction =
      c.kind === 'modify_sl'
        ? { kind: 'modify_sl', symbol: p.symbol, side: p.side, increasesExposure: false, ticket: p.ticket, currentSl: p.sl, newSl: c.value }
        : { kind: c.kind, symbol: p.symbol, side: p.side, increasesExposure: c.kind === 'hedge', ticket: p.ticket, volume: c.value };
    const data = { source: c.source, rule: c.rule, value: c.value, ...c.data };
    const shadow = this.o.modeOf(p.symbol) === 'shadow';
    if (c.kind === 'modify_sl') (shadow ? this.shadowedSl : this.attemptedSl).set(p.ticket, c.value);
    const decision = this.o.risk.check(action);
    if (!decision.allowed) return this.journal(p.ticket, p.symbol, c.kind, 'denied', `${c.reason}: denied by risk: ${decision.reason}`, from, to, { ...data, riskRule: decision.rule }, now);
    if (shadow) {
      // Nothing reached the venue: the stop stays uncommanded, so once the symbol goes live the reconcile sends it.
      return this.journal(p.ticket, p.symbol, c.kind, 'shadow', `${c.reason} (shadow mode: not sent)`, from, to, data, now);
    }
    const res = await sendChosen(this.o.venue, p, c, now);
    if (res.ok && c.kind === 'modify_sl') this.commandedSl.set(p.ticket, c.value);
    this.journal(p.ticket, p.symbol, c.kind, res.ok ? 'sent' : 'rejected', res.ok ? c.reason : `${c.reason}: venue rejected: ${res.message}`, from, to, { ...data, retcode: res.retcode }, now);
  }

  private journal(ticket: string, symbol: string, action: string, outcome: string, reason: string, stateFrom: string | null, stateTo: string | null, data: Readonly<Record<string, unknown>>, tsEvent: number): void {
    const record: DtmsActionRecord = { ticket, symbol, action, outcome, reason, stateFrom, stateTo, data, tsEvent, tsInit: this.o.clock.now() };
    this.o.record(record);
  }
}
