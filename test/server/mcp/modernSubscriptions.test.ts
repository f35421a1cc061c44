/**
 * Resource update notifications for 2026-07-28 clients: `subscriptions/listen`
 * over stdio (the connection's instance is attached to the notifier) and over
 * Streamable HTTP (the notifier's bus handed to createMcpHandler, as the lead
 * wires it in the HTTP app), coalesced on a TestClock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../../src/core/index.js';
import { buildMcpServer } from '../../../src/server/mcp/buildMcpServer.js';
import { candlesUri, ResourceNotifier, statusUri } from '../../../src/server/mcp/resources.js';
import { serveMcpStdio } from '../../../src/server/mcp/stdio.js';
import { getCandles } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { realParts, type RealParts } from '../../tools/realContext.js';

const INFO = { name: 'utp', version: '0.1.0-test' };
const MODERN = { versionNegotiation: { mode: { pin: '2026-07-28' } } } as const;
const M1 = candlesUri('BTCUSD', 'M1');
const STATUS = statusUri('BTCUSD');

describe('subscriptions/listen (2026-07-28)', () => {
  let parts: RealParts;
  const errors: Error[] = [];
  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
  });
  afterAll(async () => parts?.close());

  it('over stdio: only the URIs in the listen filter, coalesced', async () => {
    const clock = new TestClock();
    const notifier = new ResourceNotifier(clock, { onError: (e) => errors.push(e) });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const handle = serveMcpStdio([getCandles] as never, parts.ctx, INFO, (e) => errors.push(e), { notifier, transport: serverTransport });
    const client = new Client({ name: 'modern', version: '1' }, MODERN);
    const seen: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void seen.push(n.params.uri));
    await client.connect(clientTransport);
    const sub = await client.listen({ resourceSubscriptions: [M1] });
    notifier.notifyResourceChanged(M1);
    notifier.notifyResourceChanged(M1);
    notifier.notifyResourceChanged(STATUS);
    await vi.waitFor(() => expect(seen).toEqual([M1]));
    clock.advance(1_000);
    await vi.waitFor(() => expect(seen).toEqual([M1, M1]));
    // a read still works on the same connection
    const read = await client.readResource({ uri: M1 });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ symbol: 'BTCUSD', timeframe: 'M1', count: 200 });
    await sub.close();
    await client.close();
    await handle.close();
    notifier.close();
    expect(errors).toEqual([]);
  });

  it('over Streamable HTTP with the notifier bus: the listen stream gets the coalesced updates', async () => {
    const clock = new TestClock();
    const notifier = new ResourceNotifier(clock, { onError: (e) => errors.push(e) });
    const mcp = createMcpHandler(() => buildMcpServer([getCandles] as never, parts.ctx, INFO), { bus: notifier.bus, onerror: (e) => errors.push(e) });
    const node = toNodeHandler(mcp);
    const server = http.createServer((req, res) => void node(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    const client = new Client({ name: 'modern-http', version: '1' }, MODERN);
    const seen: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void seen.push(n.params.uri));
    await client.connect(new StreamableHTTPClientTransport(url));
    const sub = await client.listen({ resourceSubscriptions: [STATUS] });
    notifier.notifyResourceChanged(STATUS);
    notifier.notifyResourceChanged(M1);
    notifier.notifyResourceChanged(STATUS);
    await vi.waitFor(() => expect(seen).toEqual([STATUS]));
    clock.advance(1_000);
    await vi.waitFor(() => expect(seen).toEqual([STATUS, STATUS]));
    await sub.close();
    await client.close();
    await mcp.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    notifier.close();
    expect(errors).toEqual([]);
  });
});
