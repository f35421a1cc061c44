import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Hostnames always accepted on a loopback bind. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** True when the bind address only listens on this machine. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Hostname of a Host or Origin value without port, lowercased (IPv6 kept in brackets). */
export function hostnameOf(value: string): string | null {
  try {
    const url = new URL(value.includes('://') ? value : `http://${value}`);
    return url.hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * DNS-rebinding and cross-site defence for every HTTP request: the Host header
 * must name an allowed host, and a present Origin must name an allowed origin
 * host (non-browser MCP clients send none). Answers 403 itself and returns false when refused.
 */
export function checkHostAndOrigin(
  req: IncomingMessage,
  res: ServerResponse,
  allowed: readonly string[],
  allowedOrigins: readonly string[] = allowed,
): boolean {
  const host = hostnameOf(req.headers.host ?? '');
  if (host === null || !allowed.includes(host)) {
    deny(res, 403, `Invalid Host header: ${req.headers.host ?? '(none)'}`);
    return false;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const originHost = origin === 'null' ? null : hostnameOf(origin);
    if (originHost === null || !allowedOrigins.includes(originHost)) {
      deny(res, 403, `Invalid Origin: ${origin}`);
      return false;
    }
  }
  return true;
}

/** Bearer token check in constant time; answers 401 and returns false when refused. */
export function checkBearer(req: IncomingMessage, res: ServerResponse, token: string | null): boolean {
  if (token === null) return true;
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length === b.length && timingSafeEqual(a, b)) return true;
  res.setHeader('WWW-Authenticate', 'Bearer realm="utp"');
  deny(res, 401, 'Missing or invalid bearer token');
  return false;
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
