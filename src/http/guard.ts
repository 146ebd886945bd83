/**
 * What every smi server does with a request before its own logic: no single request, however
 * malformed, takes the process down. A request target that is not a URL (`http://[`, a port out of
 * range) is a 400; a handler that throws or rejects is logged and answered with a 500 (or, when the
 * answer has started, the connection is cut); bodies are read up to a limit and cut off past it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Whether a listen address is one only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** The request's path and query; undefined when the request target is not a URL (answer 400). */
export function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://request.invalid');
  } catch {
    return undefined;
  }
}

/** Answers a request whose target is not a URL. */
export function badTarget(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' }).end('the request target is not a valid URL\n');
}

/** The handler, with every throw and rejection logged and answered instead of ending the process. */
export function guarded(handler: Handler, onError: (e: unknown, req: IncomingMessage) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const fail = (e: unknown): void => {
      try {
        onError(e, req);
      } catch {
        // a logger that throws must not take the server down either
      }
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain', Connection: 'close' }).end('internal error\n');
      else res.destroy();
    };
    try {
      const done = handler(req, res);
      if (done && typeof (done as Promise<void>).then === 'function') (done as Promise<void>).catch(fail);
    } catch (e) {
      fail(e);
    }
  };
}

/**
 * The body as text, or undefined when it is larger than `limit` bytes: then reading stops at once
 * (a declared Content-Length over the limit is refused before reading anything).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Sends the answer, then closes the connection: for requests whose body was not read to the end. */
export function answerAndClose(res: ServerResponse, code: number, contentType: string, body: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(code, { 'Content-Type': contentType, Connection: 'close' });
  res.end(body, () => res.socket?.destroy());
}
