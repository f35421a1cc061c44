/**
 * The gate between the approval book and the trading desk: validates a write
 * against the venue's rules (symbol, volume step and limits, stop distances
 * at the current quote, the position it names) and the risk state (the risk
 * engine's own decision on the action), resolves it to exact canonical
 * parameters, and executes approved parameters through the coordinator and
 * the venue. Also validates and applies parameter changes through the
 * parameters port.
 */
import type { ExecutionVenue, Position, Side, SymbolRules } from '../../core/index.js';
import type { Coordinator } from '../coordinator/index.js';
import { HEDGE_COMMENT } from '../coordinator/index.js';
import { roundTo, stopsProblem, volumeProblem, type ExecQuote } from '../paper/index.js';
import type { RiskAction, RiskEngine } from '../risk/index.js';
import type { ExecutionOutcome, Exposure, GateCheck, MarketCheck, WriteAction, WriteGate } from './types.js';

/** The latest price of a symbol (bid/ask null on a trades-only stream). */
export type GatePrice = Readonly<{ bid: number | null; ask: number | null; last: number | null }>;

/** Port: versioned parameters (structurally the tools' `ParametersView`). */
export type ParametersPort = Readonly<{
  validate(change: Readonly<Record<string, unknown>>): Promise<Readonly<{ ok: true; summary: string }> | Readonly<{ ok: false; reasons: readonly string[] }>>;
  apply(change: Readonly<Record<string, unknown>>, by: string, reason: string): Promise<Readonly<{ version: number; active: boolean }>>;
}>;

/** What the gate works with. */
export type TradingGateOptions = Readonly<{
  venue: ExecutionVenue;
  risk: Pick<RiskEngine, 'check' | 'onEquity' | 'status'>;
  coordinator: Pick<Coordinator, 'requestEntry' | 'enroll' | 'dtmsStates' | 'idle'>;
  /** Broker rules per symbol (the paper venue's, or MT5's symbol info). */
  rules: Readonly<Record<string, SymbolRules>>;
  /** Full spread per symbol applied around the last trade when there is no quote (as the paper venue does). */
  spreads: Readonly<Record<string, number>>;
  priceOf: (symbol: string) => GatePrice | null;
  parameters?: ParametersPort | null;
}>;

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'none' : String(v));

/** Builds the gate over a trading desk. */
export function createTradingGate(o: TradingGateOptions): WriteGate {
  const quote = (symbol: string): ExecQuote | null => {
    const rules = o.rules[symbol];
    const px = o.priceOf(symbol);
    if (!rules || !px) return null;
    if (px.bid !== null && px.ask !== null) return { bid: px.bid, ask: px.ask, tsEvent: 0, tradesOnly: false, halfSpread: 0 };
    const spread = o.spreads[symbol];
    if (px.last === null || spread === undefined) return null;
    return { bid: roundTo(px.last - spread / 2, rules.digits), ask: roundTo(px.last + spread / 2, rules.digits), tsEvent: 0, tradesOnly: true, halfSpread: spread / 2 };
  };
  const mid = (symbol: string): number | null => {
    const px = o.priceOf(symbol);
    if (!px) return null;
    return px.bid !== null && px.ask !== null ? (px.bid + px.ask) / 2 : px.last;
  };
  const position = (ticket: string): Position | undefined => o.venue.positions().find((p) => p.ticket === ticket);
  const riskSays = (action: RiskAction): string | null => {
    o.risk.onEquity(o.venue.account().equity);
    const d = o.risk.check(action);
    return d.allowed ? null : `denied by risk (${d.rule}): ${d.reason}`;
  };
  const refuse = (reason: string): GateCheck => ({ ok: false, reason });
  const accept = (params: Record<string, unknown>, summary: string, exposure: Exposure, symbol: string | null): GateCheck => ({ ok: true, params, summary, exposure, symbol, refPrice: symbol === null ? null : mid(symbol) });

  async function check(a: WriteAction): Promise<GateCheck> {
    if (a.kind === 'set_parameters') {
      if (!o.parameters) return refuse('parameters are not versioned in this server: set_parameters is unavailable');
      if (a.reason.trim() === '') return refuse('a reason is required for a parameter change');
      const v = await o.parameters.validate(a.changes);
      if (!v.ok) return refuse(`parameter change refused: ${v.reasons.join('; ')}`);
      return accept({ changes: a.changes, reason: a.reason }, `Change parameters: ${v.summary} (reason: ${a.reason})`, 'neutral', null);
    }
    if (a.kind === 'place_order') {
      const symbol = a.symbol.toUpperCase();
      const rules = o.rules[symbol];
      if (!rules) return refuse(`unknown symbol ${a.symbol}; tradable: ${Object.keys(o.rules).join(', ')}`);
      const vol = volumeProblem(a.volume, rules);
      if (vol) return refuse(vol);
      const q = quote(symbol);
      if (!q) return refuse(`no price for ${symbol}: cannot validate the stops`);
      const stops = stopsProblem(a.side, a.sl, a.tp, q, rules);
      if (stops) return refuse(stops);
      const denied = riskSays({ kind: 'open', symbol, side: a.side, increasesExposure: true, volume: a.volume });
      if (denied) return refuse(denied);
      const volume = roundTo(a.volume, 8);
      const params = { symbol, side: a.side, volume, sl: a.sl, tp: a.tp, idempotencyKey: a.idempotencyKey };
      return accept(params, `${a.side.toUpperCase()} ${volume} ${symbol} at market (now ${a.side === 'buy' ? q.ask : q.bid}), SL ${fmt(a.sl)}, TP ${fmt(a.tp)}`, 'increasing', symbol);
    }
    const p = position(a.ticket);
    if (!p) return refuse(`no open position ${a.ticket}`);
    const rules = o.rules[p.symbol];
    if (!rules) return refuse(`no broker rules for ${p.symbol}`);
    if (a.kind === 'modify_position') {
      const sl = a.sl === undefined ? p.sl : a.sl;
      const tp = a.tp === undefined ? p.tp : a.tp;
      if (sl === p.sl && tp === p.tp) return refuse(`nothing to change: ${a.ticket} already has SL ${fmt(p.sl)} and TP ${fmt(p.tp)}`);
      const q = quote(p.symbol);
      if (!q) return refuse(`no price for ${p.symbol}: cannot validate the stops`);
      const stops = stopsProblem(p.side, sl, tp, q, rules);
      if (stops) return refuse(stops);
      const tighter = sl !== null && (p.sl === null || (p.side === 'buy' ? sl > p.sl : sl < p.sl));
      const slChanged = sl !== p.sl;
      const exposure: Exposure = slChanged ? (tighter ? 'reducing' : 'increasing') : 'neutral';
      const action: RiskAction = slChanged
        ? { kind: 'modify_sl', symbol: p.symbol, side: p.side, increasesExposure: !tighter, ticket: p.ticket, currentSl: p.sl, newSl: sl }
        : { kind: 'modify_tp', symbol: p.symbol, side: p.side, increasesExposure: false, ticket: p.ticket };
      const denied = riskSays(action);
      if (denied) return refuse(denied);
      return accept({ ticket: p.ticket, symbol: p.symbol, side: p.side, sl, tp }, `Modify ${p.ticket} (${p.side} ${p.volume} ${p.symbol}): SL ${fmt(p.sl)} -> ${fmt(sl)}, TP ${fmt(p.tp)} -> ${fmt(tp)}`, exposure, p.symbol);
    }
    if (a.kind === 'close_position') {
      const volume = a.volume ?? p.volume;
      const partial = volume < p.volume - 1e-12;
      const vol = volumeProblem(volume, { ...rules, volumeMax: Number.POSITIVE_INFINITY });
      if (vol) return refuse(vol);
      if (volume > p.volume + 1e-12) return refuse(`volume ${volume} exceeds position volume ${p.volume}`);
      const rest = roundTo(p.volume - volume, 8);
      if (partial && rest < rules.volumeMin - 1e-12) return refuse(`remaining volume ${rest} below minimum ${rules.volumeMin}`);
      const denied = riskSays({ kind: partial ? 'partial_close' : 'close', symbol: p.symbol, side: p.side, increasesExposure: false, ticket: p.ticket, volume });
      if (denied) return refuse(denied);
      return accept({ ticket: p.ticket, symbol: p.symbol, volume: partial ? roundTo(volume, 8) : null }, `Close ${partial ? `${volume} of` : 'all of'} ${p.ticket} (${p.side} ${p.volume} ${p.symbol})`, 'reducing', p.symbol);
    }
    if (a.kind === 'hedge_position') {
      if (p.comment.startsWith(HEDGE_COMMENT)) return refuse(`${p.ticket} is itself a hedge`);
      const volume = roundTo(a.volume ?? p.volume, 8);
      const vol = volumeProblem(volume, rules);
      if (vol) return refuse(vol);
      if (!quote(p.symbol)) return refuse(`no price for ${p.symbol}`);
      const side: Side = p.side === 'buy' ? 'sell' : 'buy';
      const denied = riskSays({ kind: 'hedge', symbol: p.symbol, side: p.side, increasesExposure: true, ticket: p.ticket, volume });
      if (denied) return refuse(denied);
      return accept({ ticket: p.ticket, symbol: p.symbol, side, volume }, `Hedge ${p.ticket} (${p.side} ${p.volume} ${p.symbol}): ${side.toUpperCase()} ${volume} ${p.symbol} at market`, 'increasing', p.symbol);
    }
    // enroll_position
    if (p.sl === null) return refuse(`${p.ticket} has no stop: DTMS needs one to define R`);
    if (p.comment.startsWith(HEDGE_COMMENT)) return refuse(`${p.ticket} is a DTMS hedge and is never enrolled`);
    const managed = o.coordinator.dtmsStates(p.ticket).find((s) => s.phase !== 'closed');
    if (managed) return refuse(`${p.ticket} is already managed by DTMS (phase ${managed.phase})`);
    return accept({ ticket: p.ticket, symbol: p.symbol }, `Enroll ${p.ticket} (${p.side} ${p.volume} ${p.symbol}, SL ${fmt(p.sl)}) under DTMS and exits`, 'neutral', p.symbol);
  }

  async function execute(kind: string, params: Readonly<Record<string, unknown>>, requestId: string): Promise<ExecutionOutcome> {
    const s = (k: string) => params[k] as string;
    const n = (k: string) => params[k] as number | null;
    if (kind === 'set_parameters') {
      if (!o.parameters) return { ok: false, message: 'parameters are not versioned in this server', data: {} };
      const v = await o.parameters.apply(params.changes as Record<string, unknown>, `approval:${requestId}`, s('reason'));
      return { ok: v.active, message: v.active ? `parameters version ${v.version} in effect` : `version ${v.version} rolled back by its health check`, data: { version: v.version, active: v.active } };
    }
    if (kind === 'place_order') {
      const r = await o.coordinator.requestEntry({ symbol: s('symbol'), side: s('side') as Side, volume: n('volume') as number, sl: n('sl'), tp: n('tp'), idempotencyKey: s('idempotencyKey'), comment: `utp:${requestId}` });
      return { ok: r.sent || (r.decision.allowed && r.message === 'shadow mode'), message: r.message, data: { sent: r.sent, ticket: r.ticket, retcode: r.retcode } };
    }
    await o.coordinator.idle();
    const ticket = s('ticket');
    if (kind === 'enroll_position') {
      const p = position(ticket);
      if (!p) return { ok: false, message: `no open position ${ticket}`, data: {} };
      const st = o.coordinator.enroll(p);
      return { ok: st !== null, message: st ? `${ticket} enrolled in DTMS (phase ${st.phase})` : `${ticket} could not be enrolled`, data: { phase: st?.phase ?? null } };
    }
    let res;
    if (kind === 'modify_position') res = await o.venue.modifyPosition(ticket, n('sl'), n('tp'));
    else if (kind === 'close_position') res = await o.venue.closePosition(ticket, n('volume'));
    else if (kind === 'hedge_position')
      res = await o.venue.placeOrder({ symbol: s('symbol'), side: s('side') as Side, volume: n('volume') as number, sl: null, tp: null, idempotencyKey: `approval:${requestId}`, comment: `${HEDGE_COMMENT}${ticket}` });
    else return { ok: false, message: `unknown write kind ${kind}`, data: {} };
    return { ok: res.ok, message: res.message, data: { ticket: res.ticket, retcode: res.retcode, price: res.price, volume: res.volume } };
  }

  function market(symbol: string | null): MarketCheck {
    o.risk.onEquity(o.venue.account().equity);
    return { tradingState: o.risk.status().tradingState, price: symbol === null ? null : mid(symbol) };
  }

  return { check, execute, market };
}
