import type { UtpConfig } from './config.js';
import { composeApp } from './compose.js';
import { startHttpApp } from './http/app.js';
import { isLoopback } from './http/guards.js';
import { createLogger } from './logger.js';
import { serveMcpStdio } from './mcp/stdio.js';
import { VERSION } from './version.js';
import { ConfigError } from '../core/index.js';

/**
 * Runs UTP until SIGINT/SIGTERM (or, for stdio, until the client closes the
 * pipe), then stops every component in reverse order and flushes the store.
 */
export async function runServer(transport: 'http' | 'stdio', config: UtpConfig): Promise<number> {
  if (transport === 'http' && !isLoopback(config.http.host) && config.http.token === null) {
    throw new ConfigError(`http.host ${config.http.host} is not loopback: set http.token (or UTP_HTTP_TOKEN) to require a bearer token`);
  }
  const log = createLogger(config.logLevel);
  const app = await composeApp(config, { logger: log });
  const info = { name: 'utp', version: VERSION };
  await app.start();
  let closeTransport: () => Promise<void> = async () => {};
  if (transport === 'http') {
    const http = await startHttpApp({
      host: config.http.host,
      port: config.http.port,
      token: config.http.token,
      allowedHosts: config.http.allowedHosts,
      allowedOrigins: config.http.allowedOrigins,
      tools: app.tools,
      ctx: app.ctx,
      info,
      onError: (error) => log.error({ err: error }, 'http error'),
    });
    closeTransport = http.close;
    log.info({ url: `${http.url}/mcp` }, 'MCP Streamable HTTP listening');
    process.stderr.write(
      `\nUTP ${VERSION} is running in ${config.mode} mode (data in ${config.dataDir}).\n` +
        `  MCP (Streamable HTTP): ${http.url}/mcp\n` +
        `  REST:                  ${http.url}/api/tools/get_market_state?symbol=BTCUSD\n` +
        `  Connect a client:      npx @modelcontextprotocol/inspector  (transport Streamable HTTP, URL above)\n` +
        `  Claude Desktop:        see examples/claude_desktop_config.json (runs \`utp mcp\` over stdio)\n` +
        `Press Ctrl-C to stop.\n\n`,
    );
  } else {
    const handle = serveMcpStdio(app.tools, app.ctx, info, (error) => log.error({ err: error }, 'stdio error'));
    closeTransport = () => handle.close();
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
  await app.stop();
  log.info('stopped');
  log.flush();
  return 0;
}
