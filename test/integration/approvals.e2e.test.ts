/**
 * End to end: an MCP client (v2 SDK, Streamable HTTP, in process) calls
 * place_order and gets a pending request; the human runs `utp approve ID`
 * (the CLI command function, reaching the admin route through admin.json)
 * while the client polls get_approval; the order executes at the paper
 * venue without the model calling again. No tool can approve.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveCommand, type CommandIo } from '../../src/server/cli/approvalsCommand.js';
import { startHttpApp, type HttpApp } from '../../src/server/http/app.js';
import { buildMcpServer } from '../../src/server/mcp/buildMcpServer.js';
import { getApproval, getAuditLog } from '../../src/tools/approvals/index.js';
import type { ToolDefinition } from '../../src/tools/index.js';
import { closePosition, enrollPosition, hedgePosition, modifyPosition, placeOrder, setParameters } from '../../src/tools/trading/write/index.js';
import { approvalsContext } from '../tools/approvals/context.js';

const TOOLS = [placeOrder, modifyPosition, closePosition, hedgePosition, enrollPosition, setParameters, getApproval, getAuditLog] as unknown as ToolDefinition[];

describe('write approved through the CLI while the MCP client waits', () => {
  let c: ReturnType<typeof approvalsContext>;
  let app: HttpApp;

  beforeAll(async () => {
    c = approvalsContext();
    app = await startHttpApp({ host: '127.0.0.1', port: 0, token: null, allowedHosts: [], tools: TOOLS, ctx: c.ctx, info: { name: 'utp', version: 'e2e' }, onError: () => {}, routes: [c.approvals.route] });
    c.approvals.publish(app.url);
  });
  afterAll(async () => {
    await app?.close();
    c?.cleanup();
  });

  it('place_order -> pending; utp approve -> executed at the paper venue; get_approval shows the outcome', async () => {
    const client = new Client({ name: 'e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/mcp`)));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(['place_order', 'modify_position', 'close_position', 'hedge_position', 'enroll_position', 'set_parameters', 'get_approval', 'get_audit_log']);
      const placed = (await client.callTool({ name: 'place_order', arguments: { symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 72500, tp: 74000 } })) as any;
      const pending = placed.structuredContent;
      expect(pending).toMatchObject({ status: 'pending', summary: 'BUY 0.1 BTCUSD at market (now 73039.79), SL 72500, TP 74000', expiresAt: '2024-03-14T00:03:00.000Z' });
      expect(pending.howToApprove).toContain(`utp approve ${pending.requestId}`);
      expect(c.rig.venue.positions()).toEqual([]);

      let out = '';
      const io: CommandIo = { out: (t) => void (out += t), err: (t) => void (out += t) };
      const approval = approveCommand(pending.requestId, { dataDir: c.dir }, io);
      const seen: string[] = [];
      let status = 'pending';
      let last: any = null;
      for (let i = 0; i < 500 && status !== 'executed' && status !== 'failed'; i++) {
        last = ((await client.callTool({ name: 'get_approval', arguments: { requestId: pending.requestId } })) as any).structuredContent;
        status = last.request.status;
        if (seen.at(-1) !== status) seen.push(status);
      }
      expect(await approval).toBe(0);
      expect(out).toContain('approved and executed: buy 0.1 BTCUSD at 73039.79');
      expect(seen[0]).toBe('pending');
      expect(seen.at(-1)).toBe('executed');
      expect(last.request).toMatchObject({ status: 'executed', approvedBy: 'cli', outcome: { ok: true, sent: true, ticket: 'P1' } });
      expect(c.rig.venue.positions()).toMatchObject([{ ticket: 'P1', symbol: 'BTCUSD', side: 'buy', volume: 0.1, openPrice: 73039.79, sl: 72500, tp: 74000 }]);
      const audit = ((await client.callTool({ name: 'get_audit_log', arguments: { requestId: pending.requestId } })) as any).structuredContent;
      expect(audit.entries.map((e: any) => [e.kind, e.actor])).toEqual([['executed', 'system'], ['approved', 'cli'], ['requested', 'model:place_order']]);
      // Replaying the approval is refused; nothing more reaches the venue.
      expect(await approveCommand(pending.requestId, { dataDir: c.dir }, io)).toBe(1);
      expect(c.rig.venueTrades()).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('a client that declared elicitation (stateful in-memory connection) approves in the call itself; over HTTP it is asked or left pending', async () => {
    const server = buildMcpServer(TOOLS, c.ctx, { name: 'utp', version: 'e2e' });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: 'e2e-elicit', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request: any) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { approve: true } };
    });
    await client.connect(clientTransport);
    try {
      const placed = (await client.callTool({ name: 'place_order', arguments: { symbol: 'BTCUSD', side: 'sell', volume: 0.2, sl: 73500 } })) as any;
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatch(/needs your approval:\nSELL 0.2 BTCUSD at market/);
      expect(placed.structuredContent).toMatchObject({ status: 'executed', outcome: { ok: true, ticket: 'P2' } });
      expect(c.approvals.book.get(placed.structuredContent.requestId)?.approvedBy).toMatch(/^elicitation:/);
    } finally {
      await client.close();
      await server.close();
    }
    // The same client over the HTTP app: whether the per-request server sees the capability or not, the write is either approved at the prompt or left pending (never executed unasked).
    const http = new Client({ name: 'e2e-elicit-http', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    const askedHttp: string[] = [];
    http.setRequestHandler('elicitation/create', async (request: any) => (askedHttp.push(request.params.message), { action: 'accept', content: { approve: true } }));
    await http.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/mcp`)));
    try {
      const placed = (await http.callTool({ name: 'place_order', arguments: { symbol: 'BTCUSD', side: 'sell', volume: 0.2, sl: 73500 } })) as any;
      expect(placed.structuredContent.status).toBe(askedHttp.length === 1 ? 'executed' : 'pending');
    } finally {
      await http.close();
    }
  });
});
