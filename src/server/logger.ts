import { pino, type Logger } from 'pino';

/**
 * The root logger: JSON lines to stderr (fd 2), never stdout, which belongs to
 * MCP stdio. Components get `logger.child({ component })`.
 */
export function createLogger(level: string, destination: number | string = 2): Logger {
  return pino({ level, base: { app: 'utp' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: destination, sync: false }));
}

export type { Logger };
