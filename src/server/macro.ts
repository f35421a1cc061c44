import { readFile } from 'node:fs/promises';
import type { Cancel, Clock, EventBus, SystemEvent } from '../core/index.js';
import { macroLogDue, MacroStore, type MacroIndicator } from '../pipeline/index.js';
import type { UtpConfig } from './config.js';
import type { Logger } from './logger.js';

/** The running macro context: the store the tools read, and its lifecycle. */
export type MacroService = Readonly<{ store: MacroStore; start(): void; stop(): void }>;

/**
 * Macro context (VIX, DXY, US10Y and the session): readings arrive as MT5
 * ticks of the configured broker symbols (routed here by the server) and/or
 * from a JSON feed file re-read every `pollMs`; a snapshot is written to the
 * event log every `logIntervalMs` (5 minutes by default).
 */
export function createMacroService(config: UtpConfig['macro'], clock: Clock, bus: EventBus, log: Logger): MacroService {
  const store = new MacroStore({ mt5Symbols: config.mt5Symbols as Partial<Record<MacroIndicator, string>> });
  const cancels: Cancel[] = [];
  let lastLogged: number | null = null;
  let lastFeedError = '';
  const poll = async () => {
    if (config.jsonFile === null) return;
    try {
      const result = store.fromJson(JSON.parse(await readFile(config.jsonFile, 'utf8')), clock.now());
      if (result.errors.length > 0) log.warn({ file: config.jsonFile, errors: result.errors.slice(0, 5) }, 'macro feed: readings refused');
      lastFeedError = '';
    } catch (error) {
      const message = (error as Error).message;
      if (message !== lastFeedError) log.warn({ file: config.jsonFile, err: message }, 'macro feed unreadable');
      lastFeedError = message;
    }
  };
  const logSnapshot = () => {
    const now = clock.now();
    if (!macroLogDue(lastLogged, now, config.logIntervalMs)) return;
    lastLogged = now;
    const snapshot = store.snapshot(now);
    const event: SystemEvent = { kind: 'macro.snapshot', level: 'info', component: 'macro', symbol: null, message: 'macro snapshot', data: { ...snapshot }, tsEvent: now, tsInit: now };
    bus.publish('system.event', event);
  };
  return {
    store,
    start() {
      if (config.jsonFile !== null) {
        void poll();
        cancels.push(clock.setInterval(() => void poll(), config.pollMs));
      }
      cancels.push(clock.setInterval(logSnapshot, 1_000));
    },
    stop() {
      for (const cancel of cancels.splice(0)) cancel();
    },
  };
}
