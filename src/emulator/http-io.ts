// Request bodies as DRF's parsers read them, and response writing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, envelope, parseError } from './errors.js';
import type { Json } from './json.js';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, envelope('invalid_request', 'request_too_large', 'Request body too large.')));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; error: ApiError };

/**
 * JSONParser / FormParser: an empty body or no Content-Type reads as `{}` (DRF ignores a body it
 * has no media type for), JSON that does not parse is a 400 `parse_error`, other types a 415.
 */
export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  if (!raw.length || !contentType) return { ok: true, value: {} };
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (media === 'application/json' || media.endsWith('+json')) {
    try {
      return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
    } catch (e) {
      return { ok: false, error: parseError(`JSON parse error - ${(e as Error).message}`) };
    }
  }
  if (media === 'application/x-www-form-urlencoded') {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
  }
  return {
    ok: false,
    error: new ApiError(415, envelope('invalid_request', 'unsupported_media_type', `Unsupported media type "${media}" in request.`)),
  };
}

export interface Outgoing {
  status: number;
  body: Json | Buffer | string | null;
  contentType?: string;
  headers?: Record<string, string>;
}

const PAD_CHUNK = Buffer.alloc(64 * 1024, ' ');

/**
 * Writes an answer. `padTo` (bytes) appends trailing whitespace, which keeps JSON valid, streamed
 * in chunks as the client reads so that a huge answer costs the emulator no memory; a client that
 * stops reading (or hangs up) stops the stream.
 */
export function send(res: ServerResponse, out: Outgoing, padTo = 0): void {
  const headers: Record<string, string | number> = { ...(out.headers ?? {}) };
  let payload: Buffer;
  if (out.body === null) payload = Buffer.alloc(0);
  else if (Buffer.isBuffer(out.body)) payload = out.body;
  else if (typeof out.body === 'string' && out.contentType) payload = Buffer.from(out.body);
  else payload = Buffer.from(JSON.stringify(out.body));
  if (out.body !== null) headers['Content-Type'] = out.contentType ?? 'application/json';
  let padding = Math.max(0, padTo - payload.length);
  headers['Content-Length'] = payload.length + padding;
  res.writeHead(out.status, headers);
  if (padding === 0) {
    res.end(payload);
    return;
  }
  // The client may hang up halfway: that is the point of the fault, not an emulator error.
  res.on('error', () => undefined);
  res.write(payload);
  const pump = (): void => {
    while (padding > 0 && !res.destroyed) {
      const chunk = padding >= PAD_CHUNK.length ? PAD_CHUNK : PAD_CHUNK.subarray(0, padding);
      padding -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}
