/**
 * MCP resources over real connections: reads equal the tool answers (same
 * handlers), lists enumerate the configured symbols and timeframes, and
 * update notifications are coalesced to one per second per URI, on a 2025-era
 * stdio-style connection (resources/subscribe) and on the 2026-era HTTP
 * handler's subscriptions/listen bus.
 */
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, TestClock, type FeedStatus } from '../../../src/core/index.js';
import { bindResourceNotifications } from '../../../src/server/mcp/resourceEvents.js';
import { ResourceNotifier, candlesUri, statusUri, structureUri, SYSTEM_STATUS_URI } from '../../../src/server/mcp/resources.js';
import { serveMcpStdio } from '../../../src/server/mcp/stdio.js';
import { getCandles, getMarketState, getStructure, getSystemStatus } from '../../../src/tools/index.js';
import { klines2017, trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../../tools/realContext.js';

const INFO = { name: 'utp', version: '0.1.0-test' };
const text = (r: { contents: unknown[] }) => JSON.parse((r.contents[0] as { text: string }).text) as Record<string, unknown>;

describe('MCP resources (2025-era connection served like stdio, with a notifier on a TestClock)', () => {
  let parts: RealParts;
  let clock: TestClock;
  let notifier: ResourceNotifier;
  let client: Client;
  let handle: { close(): Promise<void> };
  const updates: string[] = [];
  const errors: Error[] = [];

  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
    clock = new TestClock(Date.UTC(2026, 0, 1));
    notifier = new ResourceNotifier(clock, { onError: (e) => errors.push(e) });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    handle = serveMcpStdio([getCandles] as never, parts.ctx, INFO, (e) => errors.push(e), { notifier, transport: serverTransport });
    client = new Client({ name: 'utp-test', version: '1.0.0' });
    client.setNotificationHandler('notifications/resources/updated', (n) => {
      updates.push(n.params.uri);
    });
    await client.connect(clientTransport);
  });
  afterAll(async () => {
    await client?.close();
    await handle?.close();
    notifier?.close();
    await parts?.close();
  });

  it('declares resources (with subscribe) and prompts', () => {
    expect(client.getServerCapabilities()).toMatchObject({ resources: { subscribe: true }, prompts: {}, tools: {} });
  });

  it('lists the system status and, per configured symbol, candles per timeframe, structure per analysis timeframe and status', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    const symbols = parts.ctx.symbols.map((s) => s.symbol);
    expect(symbols.length).toBeGreaterThan(0);
    expect(uris).toContain(SYSTEM_STATUS_URI);
    for (const s of symbols) {
      for (const tf of ['S1', 'M1', 'M5', 'M15', 'H1', 'H4', 'D1']) expect(uris).toContain(`utp://${s}/candles/${tf}`);
      for (const tf of ['M1', 'M5', 'M15', 'H1', 'H4']) expect(uris).toContain(`utp://${s}/structure/${tf}`);
      expect(uris).toContain(`utp://${s}/status`);
    }
    expect(uris).toHaveLength(1 + symbols.length * (7 + 5 + 1));
    expect(resources.every((r) => r.mimeType === 'application/json')).toBe(true);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['utp://{symbol}/candles/{timeframe}', 'utp://{symbol}/status', 'utp://{symbol}/structure/{timeframe}']);
  });

  it('candles read back exactly what get_candles answers (latest 200, 07:59 forming)', async () => {
    const read = await client.readResource({ uri: candlesUri('BTCUSD', 'M1') });
    expect(read.contents[0]).toMatchObject({ uri: 'utp://BTCUSD/candles/M1', mimeType: 'application/json' });
    const body = text(read);
    expect(body).toEqual(await callTool(getCandles, { symbol: 'BTCUSD', timeframe: 'M1', limit: 200 }, parts.ctx));
    expect(body).toMatchObject({ symbol: 'BTCUSD', timeframe: 'M1', count: 200, lastIsOpen: true, asOf: '2017-08-17T07:59:42.846Z' });
    const candles = body.candles as { openTime: number; closed: boolean }[];
    expect(candles.at(-1)).toMatchObject({ openTime: Date.UTC(2017, 7, 17, 7, 59), closed: false });
  });

  it('structure, symbol status and system status read back what their tools answer', async () => {
    expect(text(await client.readResource({ uri: structureUri('BTCUSD', 'M5') }))).toEqual(
      await callTool(getStructure, { symbol: 'BTCUSD', timeframe: 'M5' }, parts.ctx),
    );
    expect(text(await client.readResource({ uri: statusUri('BTCUSD') }))).toEqual(await callTool(getMarketState, { symbol: 'BTCUSD' }, parts.ctx));
    const system = text(await client.readResource({ uri: SYSTEM_STATUS_URI }));
    expect(system).toEqual(await callTool(getSystemStatus, {}, parts.ctx));
    expect(system).toMatchObject({ mode: 'replay', version: '0.1.0-test' });
  });

  it('completes template variables: timeframes by prefix, configured symbols', async () => {
    const tf = await client.complete({ ref: { type: 'ref/resource', uri: 'utp://{symbol}/candles/{timeframe}' }, argument: { name: 'timeframe', value: 'm' } });
    expect(tf.completion.values).toEqual(['M1', 'M5', 'M15']);
    const st = await client.complete({ ref: { type: 'ref/resource', uri: 'utp://{symbol}/structure/{timeframe}' }, argument: { name: 'timeframe', value: 'H' } });
    expect(st.completion.values).toEqual(['H1', 'H4']);
    const sym = await client.complete({ ref: { type: 'ref/resource', uri: 'utp://{symbol}/status' }, argument: { name: 'symbol', value: 'bt' } });
    expect(sym.completion.values).toEqual(['BTCUSD']);
  });

  it('an unknown symbol or timeframe is an error naming what is valid', async () => {
    await expect(client.readResource({ uri: candlesUri('NOPE', 'M1') })).rejects.toThrow(/unknown symbol "NOPE"; valid symbols: BTCUSD/);
    await expect(client.readResource({ uri: candlesUri('BTCUSD', 'M7') })).rejects.toThrow(/timeframe/);
  });

  it('subscribed URIs get at most one update per second (first at once, the rest as one trailing), others none', async () => {
    const m1 = candlesUri('BTCUSD', 'M1');
    const other = structureUri('BTCUSD', 'M1');
    await client.subscribeResource({ uri: m1 });
    const settle = () => new Promise((r) => setTimeout(r, 20));

    for (let i = 0; i < 5; i++) notifier.notifyResourceChanged(m1);
    notifier.notifyResourceChanged(other); // not subscribed
    await settle();
    expect(updates).toEqual([m1]);

    clock.advance(999);
    notifier.notifyResourceChanged(m1);
    await settle();
    expect(updates).toEqual([m1]);
    clock.advance(1); // window ends: the changes inside it give one notification
    await settle();
    expect(updates).toEqual([m1, m1]);

    clock.advance(1_000); // nothing changed in the second window: quiet
    await settle();
    expect(updates).toEqual([m1, m1]);
    clock.advance(5_000);
    notifier.notifyResourceChanged(m1); // quiet key: at once again
    await settle();
    expect(updates).toEqual([m1, m1, m1]);

    await client.unsubscribeResource({ uri: m1 });
    clock.advance(1_000);
    notifier.notifyResourceChanged(m1);
    await settle();
    expect(updates).toEqual([m1, m1, m1]);
    expect(errors).toEqual([]);
  });
});

describe('ResourceNotifier bus (what the HTTP handler streams to 2026-era subscriptions/listen)', () => {
  it('publishes resource_updated coalesced per URI', () => {
    const clock = new TestClock();
    const notifier = new ResourceNotifier(clock);
    const seen: string[] = [];
    notifier.bus.subscribe((e) => seen.push(e.kind === 'resource_updated' ? e.uri : e.kind));
    const a = candlesUri('BTCUSD', 'M5');
    const b = statusUri('BTCUSD');
    notifier.notifyResourceChanged(a);
    notifier.notifyResourceChanged(a);
    notifier.notifyResourceChanged(b);
    notifier.notifyResourceChanged(a);
    expect(seen).toEqual([a, b]);
    clock.advance(1_000);
    expect(seen).toEqual([a, b, a]);
    clock.advance(1_000);
    expect(seen).toEqual([a, b, a]);
    notifier.close();
    notifier.notifyResourceChanged(b);
    expect(seen).toEqual([a, b, a, b]);
    notifier.close();
    expect(clock.pending()).toBe(0);
  });

  it('bus events map to their resource URIs (coalesced): candle.closed, feed.status; unbinding stops them', () => {
    const clock = new TestClock();
    const notifier = new ResourceNotifier(clock);
    const seen: string[] = [];
    notifier.bus.subscribe((e) => seen.push(e.kind === 'resource_updated' ? e.uri : e.kind));
    const bus = new EventBus((e) => {
      throw e;
    });
    const unbind = bindResourceNotifications(bus, notifier);
    const [first, second] = klines2017();
    expect(first).toMatchObject({ symbol: 'BTCUSD', timeframe: 'M1' });
    bus.publish('candle.closed', first!);
    bus.publish('candle.closed', second!); // same URIs within the second: coalesced
    bus.publish('candle.closed', { ...first!, timeframe: 'D1' }); // no structure on D1
    const feed: FeedStatus = { id: 'binance-spot', source: 'binance', state: 'connected', symbols: ['BTCUSD'], detail: '', frames: 1, ticks: 1, dropped: 0, reconnects: 0, lastMessageAt: 0, tsInit: 0 };
    bus.publish('feed.status', feed);
    expect(seen).toEqual(['utp://BTCUSD/candles/M1', 'utp://BTCUSD/structure/M1', 'utp://BTCUSD/candles/D1', 'utp://BTCUSD/status', SYSTEM_STATUS_URI]);
    clock.advance(1_000);
    expect(seen.slice(5)).toEqual(['utp://BTCUSD/candles/M1', 'utp://BTCUSD/structure/M1']);
    unbind();
    clock.advance(5_000);
    bus.publish('feed.status', feed);
    expect(seen).toHaveLength(7);
    notifier.close();
  });
});
