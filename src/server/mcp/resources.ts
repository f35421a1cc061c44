import { InMemoryServerEventBus, ResourceTemplate, type McpServer, type ServerEventBus } from '@modelcontextprotocol/server';
import { ANALYSIS_TIMEFRAMES, InvalidRequestError, TIMEFRAMES, type Clock } from '../../core/index.js';
import { getCandles } from '../../tools/market/getCandles.js';
import { getMarketState } from '../../tools/market/getMarketState.js';
import { getStructure } from '../../tools/market/getStructure.js';
import { getSystemStatus } from '../../tools/system/getSystemStatus.js';
import type { ToolContext, ToolDefinition } from '../../tools/index.js';
import { Coalescer } from './coalescer.js';
import type * as z from 'zod';

/** URI of the whole-system status resource. */
export const SYSTEM_STATUS_URI = 'utp://system/status';

/** URI of the latest candles of a symbol and timeframe (what `get_candles` answers without from/cursor). */
export function candlesUri(symbol: string, timeframe: string): string {
  return `utp://${symbol}/candles/${timeframe}`;
}

/** URI of the confirmed structure events of a symbol and timeframe (`get_structure`). */
export function structureUri(symbol: string, timeframe: string): string {
  return `utp://${symbol}/structure/${timeframe}`;
}

/** URI of the market state of a symbol: quote, last trade, age, sources, gaps (`get_market_state`). */
export function statusUri(symbol: string): string {
  return `utp://${symbol}/status`;
}

/** Candles a candles resource holds (the tool's default page). */
export const RESOURCE_CANDLES = 200;

type Era = 'legacy' | 'modern';
type Connection = { server: McpServer; era: Era; subscribed: Set<string> };

/**
 * Delivers `notifications/resources/updated`, at most one per second per
 * resource URI. One instance per process, built by the composition root:
 * - `bus` goes to `createMcpHandler({ bus })` so 2026-era HTTP clients get the
 *   notification on their `subscriptions/listen` stream;
 * - stdio connections built with `{ notifier }` attach themselves: a 2025-era
 *   connection is told only about URIs it subscribed to (`resources/subscribe`),
 *   a 2026-era one about every URI (the SDK's listen router filters).
 * 2025-era HTTP is stateless (no connection to push on), so it gets none.
 */
export class ResourceNotifier {
  /** Change events for the HTTP handler's `subscriptions/listen` streams. */
  readonly bus: ServerEventBus;
  private readonly coalescer: Coalescer;
  private readonly connections = new Set<Connection>();

  constructor(clock: Clock, options: { intervalMs?: number; onError?: (error: Error) => void; bus?: ServerEventBus } = {}) {
    const onError = options.onError ?? (() => {});
    this.bus = options.bus ?? new InMemoryServerEventBus(onError);
    this.coalescer = new Coalescer(clock, (uri) => this.deliver(uri, onError), options.intervalMs ?? 1_000);
  }

  /** Call when the data behind `uri` changed (candle.closed → candles and structure URIs, feed.status → status URIs). */
  notifyResourceChanged(uri: string): void {
    this.coalescer.push(uri);
  }

  /** Registers a persistent (stdio) connection; returns the detach function. A 2025-era one starts with no subscriptions. */
  attach(server: McpServer, era: Era): Connection {
    const connection: Connection = { server, era, subscribed: new Set() };
    this.connections.add(connection);
    const previous = server.server.onclose;
    server.server.onclose = () => {
      this.connections.delete(connection);
      previous?.();
    };
    return connection;
  }

  /** Connections attached right now. */
  attached(): number {
    return this.connections.size;
  }

  /** Stops pending notifications. */
  close(): void {
    this.coalescer.close();
    this.connections.clear();
  }

  private deliver(uri: string, onError: (error: Error) => void): void {
    try {
      this.bus.publish({ kind: 'resource_updated', uri });
    } catch (error) {
      onError(error as Error);
    }
    for (const c of this.connections) {
      if (!c.server.isConnected()) {
        this.connections.delete(c);
        continue;
      }
      if (c.era === 'legacy' && !c.subscribed.has(uri)) continue;
      c.server.server.sendResourceUpdated({ uri }).catch((error: Error) => onError(error));
    }
  }
}

/** Options of the MCP resources. */
export type ResourceOptions = Readonly<{ notifier?: ResourceNotifier; era?: Era }>;

/**
 * Registers the UTP resources on a server: templates for candles, structure
 * and status per symbol plus the system status, each read by calling the same
 * tool handler the tool serves (no second implementation), as JSON. The list
 * callbacks enumerate the configured symbols and timeframes. With a notifier
 * (persistent connections), subscriptions are honoured.
 */
export function registerResources(server: McpServer, ctx: ToolContext, options: ResourceOptions = {}): void {
  const symbols = () => ctx.symbols.map((s) => s.symbol);
  const completeSymbol = (value: string) => symbols().filter((s) => s.startsWith(value.toUpperCase()));
  const json = (uri: string, output: unknown) => ({ contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(output) }] });

  server.registerResource(
    'candles',
    new ResourceTemplate('utp://{symbol}/candles/{timeframe}', {
      list: () => ({
        resources: symbols().flatMap((s) =>
          TIMEFRAMES.map((tf) => ({ uri: candlesUri(s, tf), name: `${s} ${tf} candles`, mimeType: 'application/json' })),
        ),
      }),
      complete: { symbol: completeSymbol, timeframe: (v) => TIMEFRAMES.filter((tf) => tf.startsWith(v.toUpperCase())) },
    }),
    {
      title: 'Candles',
      description: `The latest ${RESOURCE_CANDLES} OHLCV candles of a symbol and timeframe, oldest first, with asOf, sources and gap flags (get_candles).`,
      mimeType: 'application/json',
    },
    async (uri, vars) => json(uri.href, await run(getCandles, { symbol: one(vars.symbol), timeframe: one(vars.timeframe), limit: RESOURCE_CANDLES }, ctx)),
  );

  server.registerResource(
    'structure',
    new ResourceTemplate('utp://{symbol}/structure/{timeframe}', {
      list: () => ({
        resources: symbols().flatMap((s) =>
          ANALYSIS_TIMEFRAMES.map((tf) => ({ uri: structureUri(s, tf), name: `${s} ${tf} structure`, mimeType: 'application/json' })),
        ),
      }),
      complete: { symbol: completeSymbol, timeframe: (v) => ANALYSIS_TIMEFRAMES.filter((tf) => tf.startsWith(v.toUpperCase())) },
    }),
    {
      title: 'Market structure',
      description: 'Confirmed structure events (swings, BOS, CHOCH, order blocks, fair-value gaps, sweeps) of a symbol and timeframe with trend, asOf and ageMs (get_structure).',
      mimeType: 'application/json',
    },
    async (uri, vars) => json(uri.href, await run(getStructure, { symbol: one(vars.symbol), timeframe: one(vars.timeframe) }, ctx)),
  );

  server.registerResource(
    'system_status',
    SYSTEM_STATUS_URI,
    { title: 'System status', description: 'Health of UTP: feeds, counters, store, trading (get_system_status).', mimeType: 'application/json' },
    async (uri) => json(uri.href, await run(getSystemStatus, {}, ctx)),
  );

  server.registerResource(
    'symbol_status',
    new ResourceTemplate('utp://{symbol}/status', {
      list: () => ({ resources: symbols().map((s) => ({ uri: statusUri(s), name: `${s} status`, mimeType: 'application/json' })) }),
      complete: { symbol: completeSymbol },
    }),
    {
      title: 'Symbol status',
      description: 'Current quote, last trade, data age, feeding sources and gap flags of a symbol (get_market_state).',
      mimeType: 'application/json',
    },
    async (uri, vars) => json(uri.href, await run(getMarketState, { symbol: one(vars.symbol) }, ctx)),
  );

  const notifier = options.notifier;
  if (!notifier) {
    // Stateless serving: accept the subscription (nothing can be pushed on this transport).
    server.server.setRequestHandler('resources/subscribe', () => ({}));
    server.server.setRequestHandler('resources/unsubscribe', () => ({}));
    return;
  }
  const connection = notifier.attach(server, options.era ?? 'legacy');
  server.server.setRequestHandler('resources/subscribe', (request) => {
    connection.subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    connection.subscribed.delete(request.params.uri);
    return {};
  });
}

/** Runs a tool handler the way the transports do: input through its schema (defaults applied), domain errors kept. */
async function run<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolDefinition<I, O>, args: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    throw new InvalidRequestError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  return tool.handler(parsed.data as never, ctx);
}

function one(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}
