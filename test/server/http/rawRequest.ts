import http from 'node:http';

/** An HTTP answer as the tests read it: status, headers, raw body and the body parsed as JSON (null when it is not). */
export type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string; json: any };

/** Options of one raw request; `chunks` sends the body with chunked transfer encoding (no Content-Length). */
export type RawRequest = Readonly<{ method?: string; path: string; headers?: Record<string, string>; body?: string; chunks?: readonly string[] }>;

/** One request to 127.0.0.1 on a fresh connection (no agent), headers exactly as given. */
export function rawRequest(port: number, o: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    if (o.chunks) for (const c of o.chunks) req.write(c);
    else if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}
