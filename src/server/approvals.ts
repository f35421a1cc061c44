/**
 * Wiring of the approval flow for the composition root: the config section,
 * the approval book over the store's `approval_requests` / `approval_audit`
 * tables and the trading desk, the tools' `ApprovalsView`, the admin route
 * and `<dataDir>/admin.json` that tells `utp approve|deny|pending` where the
 * running server is.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type BetterSqlite3 from 'better-sqlite3';
import * as z from 'zod';
import type { Clock, ExecutionVenue, LiveMarketView, SymbolRules } from '../core/index.js';
import { ApprovalBook, createTradingGate, howToApprove, type ApprovalRecord, type GatePrice } from '../engines/approvals/index.js';
import type { Coordinator } from '../engines/coordinator/index.js';
import { DEFAULT_PAPER_RULES, DEFAULT_PAPER_SPREADS } from '../engines/paper/index.js';
import type { RiskEngine } from '../engines/risk/index.js';
import { ApprovalRepo, AuditRepo } from '../store/index.js';
import type { ApprovalRequestView, ApprovalsView } from '../tools/approvals/view.js';
import type { ParametersView } from '../tools/params/view.js';
import { adminRoute, removeAdminFile, writeAdminFile } from './http/admin.js';
import type { HttpRoute } from './http/app.js';
import { checkHostAndOrigin, LOOPBACK_HOSTS } from './http/guards.js';

/** Config section `approvals` (add to the root config schema as `approvals: approvalsConfigSchema`). */
export const approvalsConfigSchema = z
  .object({
    /** How long a write request waits for a human, ms (default 2 minutes). */
    ttlMs: z.number().int().min(5_000).max(86_400_000).default(120_000),
    /** Largest relative price move between request and execution (0.005 = 0.5%); beyond it an approval is void. */
    maxPriceDeviation: z.number().positive().max(0.5).default(0.005),
    /** Execute exposure-reducing actions (close, partial close, tighter stop) without a human. */
    preApproveReducing: z.boolean().default(false),
    /** Token of the admin endpoint (>= 16 characters); omitted = a random one per start, written to <dataDir>/admin.json. */
    adminToken: z.string().min(16).optional(),
  })
  .strict()
  .prefault({});

/** Validated `approvals` config section. */
export type ApprovalsConfig = z.infer<typeof approvalsConfigSchema>;

/** What the approval flow is built from. */
export type ApprovalsOptions = Readonly<{
  clock: Clock;
  /** The store's connection (`store.db`); migration 0003 created the tables. */
  db: BetterSqlite3.Database;
  /** The trading desk's venue, risk engine and coordinator. */
  desk: Readonly<{ venue: ExecutionVenue; risk: RiskEngine; coordinator: Coordinator }>;
  /** The live market (the pipeline): current prices for validation and the price-deviation check. */
  live: LiveMarketView;
  config: ApprovalsConfig;
  /** True when writes are disabled: every write request is refused and audited. */
  readOnly: boolean;
  /** Data folder: `admin.json` is written there. */
  dataDir: string;
  rules?: Readonly<Record<string, SymbolRules>>;
  spreads?: Readonly<Record<string, number>>;
  /** Versioned parameters (for set_parameters); absent = set_parameters is refused. */
  parameters?: ParametersView;
  onError?: (error: unknown) => void;
}>;

/** The running approval flow. */
export type Approvals = Readonly<{
  book: ApprovalBook;
  /** For the tool context (`ctx.approvals`). */
  view: ApprovalsView;
  /** The admin endpoint's token. */
  token: string;
  /** The admin route for `startHttpApp({ routes })`. */
  route: HttpRoute;
  /** Writes `<dataDir>/admin.json` ({url, token}, mode 0600) once the server listens at `url`; answers the file path. */
  publish(url: string): string;
  /** A loopback-only HTTP listener serving just the admin route (for `utp mcp`, which has no HTTP app); publishes it. */
  startAdminServer(port?: number): Promise<Readonly<{ url: string; close(): Promise<void> }>>;
  /** Recovers requests cut short by a restart and sweeps expiries every second. */
  start(): void;
  /** Stops the sweep and removes admin.json if this server published it. */
  stop(): void;
}>;

/** Latest price of a symbol from the live market: the quote, else the last trade. */
export function livePrice(live: LiveMarketView, symbol: string): GatePrice | null {
  const s = live.snapshot(symbol);
  if (s.lastQuote) return { bid: s.lastQuote.bid, ask: s.lastQuote.ask, last: s.lastTrade?.price ?? null };
  if (s.lastTrade) return { bid: null, ask: null, last: s.lastTrade.price };
  return null;
}

/** The tools' view of a request. */
export function requestView(r: ApprovalRecord): ApprovalRequestView {
  const { refPrice: _p, idempotencyKey: _k, sessionId: _s, approvedHash: _h, ...rest } = r;
  return rest;
}

/** Builds the approval flow (call `start()`, then `publish(url)` once the HTTP app listens). */
export function createApprovals(o: ApprovalsOptions): Approvals {
  const requests = new ApprovalRepo(o.db);
  const audit = new AuditRepo(o.db);
  const gate = createTradingGate({
    venue: o.desk.venue,
    risk: o.desk.risk,
    coordinator: o.desk.coordinator,
    rules: o.rules ?? DEFAULT_PAPER_RULES,
    spreads: o.spreads ?? DEFAULT_PAPER_SPREADS,
    priceOf: (symbol) => livePrice(o.live, symbol),
    parameters: o.parameters ?? null,
  });
  const book = new ApprovalBook({
    clock: o.clock,
    requests,
    audit,
    gate,
    settings: { ttlMs: o.config.ttlMs, maxPriceDeviation: o.config.maxPriceDeviation, preApproveReducing: o.config.preApproveReducing },
    readOnly: o.readOnly,
    ...(o.onError ? { onError: o.onError } : {}),
  });
  const token = o.config.adminToken ?? randomBytes(24).toString('base64url');
  const route = adminRoute(book, token);
  const view: ApprovalsView = {
    readOnly: o.readOnly,
    submit: async (request, origin) => {
      const a = await book.submit(request, origin);
      return a.accepted ? { accepted: true, request: requestView(a.request) } : a;
    },
    confirmAtClient: async (requestId, confirm, sessionId) => {
      const r = book.get(requestId);
      if (!r || r.status !== 'pending') return r ? requestView(r) : null;
      const by = `elicitation:${sessionId ?? 'client'}`;
      const answer = await confirm(
        `UTP write request ${r.id} needs your approval:\n${r.summary}\nParameters hash ${r.hash.slice(0, 16)}; expires ${new Date(r.expiresAt).toISOString()}. Approve it?`,
        { type: 'object', properties: { approve: { type: 'boolean', title: 'Approve', description: 'Execute this request now' } }, required: ['approve'] },
      );
      if (answer.action === 'accept' && answer.content?.approve === true) await book.approve(r.id, { by }, r.hash);
      else if (answer.action !== 'cancel') book.deny(r.id, { by }, 'declined at the client');
      const after = book.get(r.id);
      return after ? requestView(after) : null;
    },
    get: (id) => {
      const r = book.get(id);
      return r ? requestView(r) : null;
    },
    audit: (q) => book.audit(q),
    howToApprove: (id, expiresAt) => howToApprove(id, expiresAt),
  };
  const publish = (url: string): string => writeAdminFile(o.dataDir, { url, token });
  return {
    book,
    view,
    token,
    route,
    publish,
    async startAdminServer(port = 0) {
      const server = http.createServer((req, res) => {
        if (!checkHostAndOrigin(req, res, LOOPBACK_HOSTS)) return;
        const p = (req.url ?? '/').split('?')[0] ?? '/';
        if (!route.match(p, req.method ?? 'GET')) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, reason: `no route ${p}` }));
          return;
        }
        void Promise.resolve(route.handle(req, res)).catch((error: unknown) => {
          o.onError?.(error);
          if (!res.headersSent) res.writeHead(500).end();
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      publish(url);
      return {
        url,
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    },
    start() {
      book.recover();
      book.start(1000);
    },
    stop() {
      book.stop();
      removeAdminFile(o.dataDir, token);
    },
  };
}
