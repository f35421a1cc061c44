import type { EaMessage } from './schema.js';
import type { Mt5AccountSnapshot, Mt5PositionsSnapshot, Mt5TerminalInfo } from './types.js';

/**
 * What the connected terminal last told the bridge about itself: who it is
 * (from `hello`), the account and the open positions. Each is stamped with
 * our clock when it arrived, and kept across reconnections until replaced.
 */
export class Mt5TerminalState {
  /** Who the terminal is, or null before the first hello. */
  info: Mt5TerminalInfo | null = null;
  /** The latest account snapshot, or null. */
  account: Mt5AccountSnapshot | null = null;
  /** The latest open-positions list, or null. */
  positions: Mt5PositionsSnapshot | null = null;

  /** Records a `hello`. */
  onHello(msg: Extract<EaMessage, { type: 'hello' }>, now: number): void {
    this.info = {
      login: msg.login,
      server: msg.server,
      company: msg.company,
      build: msg.build,
      eaVersion: msg.eaVersion ?? null,
      symbols: msg.symbols.map((s) => s.sym),
      helloAt: now,
    };
  }

  /** Records an `account` message. */
  onAccount(msg: Extract<EaMessage, { type: 'account' }>, now: number): void {
    this.account = { balance: msg.balance, equity: msg.equity, margin: msg.margin, freeMargin: msg.freeMargin, currency: msg.currency, leverage: msg.leverage, receivedAt: now };
  }

  /** Records a `positions` message. */
  onPositions(msg: Extract<EaMessage, { type: 'positions' }>, now: number): void {
    this.positions = { positions: msg.positions, receivedAt: now };
  }
}
