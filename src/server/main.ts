import type { UtpConfig } from './config.js';
import { composeApp } from './compose.js';
import { startHttpApp } from './http/app.js';
import { assertSafeBind } from './http/guards.js';
import { bindResourceNotifications } from './mcp/resourceEvents.js';
import { ResourceNotifier } from './mcp/resources.js';
import { createUtpMetrics, instrumentTools, metricsSourceFromContext } from './metrics/index.js';
import { chartRoutes } from './ui/chartRoutes.js';
import { createLogger } from './logger.js';
import { serveMcpStdio } from './mcp/stdio.js';
import { VERSION } from './version.js';

/**
 * Runs UTP until SIGINT/SIGTERM (or, for stdio, until the client closes the
 * pipe), then stops every component in reverse order and flushes the store.
 */
export async function runServer(transport: 'http' | 'stdio', config: UtpConfig): Promise<number> {
  if (transport === 'http') assertSafeBind(config.http.host, config.http.token);
  const log = createLogger(config.logLevel);
  const app = await composeApp(config, { logger: log });
  const info = { name: 'utp', version: VERSION };
  await app.start();
  const approvals = app.trading.approvals;
  const pendingApprovals = () => approvals.book.pending().length;
  const metrics = createUtpMetrics(metricsSourceFromContext(app.ctx, { pendingApprovals }));
  const tools = instrumentTools(app.tools, metrics);
  const notifier = new ResourceNotifier(app.ctx.clock, { onError: (error) => log.warn({ err: error }, 'resource notification failed') });
  const unbindNotifications = bindResourceNotifications(app.bus, notifier);
  let closeTransport: () => Promise<void> = async () => {};
  if (transport === 'http') {
    const http = await startHttpApp({
      host: config.http.host,
      port: config.http.port,
      token: config.http.token,
      allowedHosts: config.http.allowedHosts,
      allowedOrigins: config.http.allowedOrigins,
      tools,
      ctx: app.ctx,
      info,
      onError: (error) => log.error({ err: error }, 'http error'),
      routes: [approvals.route, ...chartRoutes()],
      hardening: { bodyLimitBytes: config.http.bodyLimitBytes, rateLimit: config.http.rateLimit },
      metrics,
      health: { pendingApprovals },
      notifier,
    });
    closeTransport = http.close;
    const loopbackUrl = config.http.host === '0.0.0.0' || config.http.host === '::' ? `http://127.0.0.1:${http.port}` : http.url;
    approvals.publish(loopbackUrl);
    log.info({ url: `${http.url}/mcp` }, 'MCP Streamable HTTP listening');
    process.stderr.write(
      `\nUTP ${VERSION} is running in ${config.mode} mode (data in ${config.dataDir}).\n` +
        `  MCP (Streamable HTTP): ${http.url}/mcp\n` +
        `  REST:                  ${http.url}/api/tools/get_market_state?symbol=BTCUSD   (OpenAPI: ${http.url}/openapi.json)\n` +
        `  Chart:                 ${http.url}/        Health: ${http.url}/health   Metrics: ${http.url}/metrics\n` +
        `  Writes:                ${config.allowWrites ? 'enabled: each needs a human (`utp pending`, `utp approve ID`)' : 'disabled (read-only; --allow-writes to enable, every write still needs a human)'}\n` +
        `  Connect a client:      npx @modelcontextprotocol/inspector  (transport Streamable HTTP, URL above)\n` +
        `  Claude Desktop:        see examples/claude_desktop_config.json (runs \`utp mcp\` over stdio)\n` +
        `Press Ctrl-C to stop.\n\n`,
    );
  } else {
    const handle = serveMcpStdio(tools, app.ctx, info, (error) => log.error({ err: error }, 'stdio error'), { notifier });
    const admin = await approvals.startAdminServer();
    closeTransport = async () => {
      await handle.close();
      await admin.close();
    };
    log.info('MCP stdio serving');
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (transport === 'stdio') process.stdin.once('end', done).once('close', done);
  });
  log.info('stopping');
  await closeTransport();
  unbindNotifications();
  notifier.close();
  await app.stop();
  log.info('stopped');
  log.flush();
  return 0;
}
