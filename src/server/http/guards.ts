import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../../core/index.js';

/** Hostnames always accepted on a loopback bind. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** True when the bind address only listens on this machine. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
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

/** The bearer token a request presents (`Authorization: Bearer <token>`), or null. */
export function presentedToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : null;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Compares a presented token with the configured one in constant time: both
 * are hashed (SHA-256) first, so neither the content nor the length of the
 * secret leaks through timing.
 */
export function tokenMatches(given: string | null, token: string): boolean {
  return timingSafeEqual(digest(given ?? ''), digest(token)) && given !== null;
}

/** Bearer token check in constant time; answers 401 and returns false when refused. */
export function checkBearer(req: IncomingMessage, res: ServerResponse, token: string | null): boolean {
  if (token === null) return true;
  if (tokenMatches(presentedToken(req), token)) return true;
  res.setHeader('WWW-Authenticate', 'Bearer realm="utp"');
  deny(res, 401, 'Missing or invalid bearer token');
  return false;
}

/**
 * Refuses to serve HTTP off loopback without a bearer token: a bind address
 * other than 127.0.0.0/8, ::1 or localhost (0.0.0.0 and :: included) throws a
 * ConfigError unless a token is configured. Called by `startHttpApp` and meant
 * to be called by the CLI before anything starts.
 */
export function assertSafeBind(host: string, token: string | null): void {
  if (!isLoopback(host) && (token === null || token === '')) {
    throw new ConfigError(`http.host ${host} is not loopback: set http.token (or UTP_HTTP_TOKEN) to require a bearer token`);
  }
}

/** Answers a JSON-RPC shaped refusal (what MCP clients understand) with an HTTP status. */
export function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
