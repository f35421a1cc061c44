import type { Candle, StructureEvent, Tick } from '../../core/index.js';
import type { VolatilityState } from '../../core/types/Volatility.js';
import { Atr } from '../../pipeline/indicators/Atr.js';
import type { DtmsMarket, DtmsPrice } from '../dtms/index.js';
import { candleToBrokerTerms, isBinanceCandle, structureToBrokerTerms } from './brokerTerms.js';

type Market = { price: DtmsPrice | null; atr: Atr; atrValue: number | null; candles: Candle[]; events: StructureEvent[]; volatility: VolatilityState | null };

/**
 * The coordinator's market inputs per symbol, in broker terms: the latest
 * fused price, the ATR(14) of the managed timeframe, the candles and
 * structure events since the last decision (Binance ones shifted by the
 * offset in force on arrival), the volatility state; and the offset in force
 * (broker - Binance) from `offset.updated` and the fused Binance ticks.
 */
export class CoordinatorMarkets {
  private readonly markets = new Map<string, Market>();
  /** Offset in force per symbol (broker - Binance), added to Binance candles and structure levels. */
  private readonly offsets = new Map<string, number>();

  /** The offset in force for a symbol (0 before any calibration). */
  offset(symbol: string): number {
    return this.offsets.get(symbol) ?? 0;
  }

  /** Sets the offset in force for a symbol's next Binance candles and events. */
  setOffset(symbol: string, offset: number): void {
    this.offsets.set(symbol, offset);
  }

  /** A closed candle of the managed timeframe: converted to broker terms, fed to the ATR and buffered; returns it as buffered. */
  candle(closed: Candle): Candle {
    const candle = isBinanceCandle(closed) ? candleToBrokerTerms(closed, this.offset(closed.symbol)) : closed;
    const m = this.market(candle.symbol);
    m.atrValue = m.atr.add(candle);
    m.candles.push(candle);
    return candle;
  }

  /** A structure event, shifted to broker terms when it comes from a Binance stream, buffered. */
  structure(event: StructureEvent, binance: boolean): void {
    this.market(event.symbol).events.push(binance ? structureToBrokerTerms(event, this.offset(event.symbol)) : event);
  }

  /** The latest volatility state of a symbol. */
  volatility(symbol: string, state: VolatilityState): void {
    this.market(symbol).volatility = state;
  }

  /** A fused tick: its price, and for a Binance tick the offset it carries. */
  tick(tick: Tick): void {
    if (tick.source === 'binance') this.offsets.set(tick.symbol, tick.offset);
    this.market(tick.symbol).price = { bid: tick.bid, ask: tick.ask, last: tick.last };
  }

  /**
   * The DTMS market of a decision: the latest price (else the last buffered
   * candle's close), ATR, the buffered candles and events (taken: the next
   * decision starts empty) and the volatility state.
   */
  take(symbol: string): DtmsMarket {
    const m = this.market(symbol);
    const last = m.candles[m.candles.length - 1];
    const price: DtmsPrice | null = m.price ?? (last ? { bid: last.close, ask: last.close, last: last.close } : null);
    const market: DtmsMarket = { price: price ?? { bid: null, ask: null, last: null }, atr: m.atrValue, candles: m.candles, events: m.events, volatilityState: m.volatility };
    m.candles = [];
    m.events = [];
    return market;
  }

  /** Symbols seen so far. */
  symbols(): string[] {
    return [...this.markets.keys()];
  }

  private market(symbol: string): Market {
    let m = this.markets.get(symbol);
    if (!m) this.markets.set(symbol, (m = { price: null, atr: new Atr(14), atrValue: null, candles: [], events: [], volatility: null }));
    return m;
  }
}
