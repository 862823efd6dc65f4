// What went wrong when a request got no HTTP answer, whether it may have reached PostHog, whether
// trying again can help, and the sentence that tells the user which it was and what to check.
import type { NetworkFailureKind } from '../errors.js';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** The low-level code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`, `bad port`, ...). */
  code: string;
  /** The request may have been received and acted on. */
  maybeSent: boolean;
  /** Retrying cannot help (the name does not exist, a bad certificate, a port fetch refuses). */
  permanent: boolean;
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL|^EPROTO$|TLS|SSL/;
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'terminated', 'other side closed']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: ErrorLike;
}

/** fetch wraps the real cause (a system error, undici's own, or a bare "bad port") in a TypeError. */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const e = (error ?? {}) as ErrorLike;
  const cause = e.cause;
  if (e.name === 'TimeoutError' || cause?.name === 'TimeoutError')
    return { kind: 'timeout', code: 'timeout', maybeSent: true, permanent: false };
  const code = cause?.code ?? e.code ?? cause?.message ?? e.message ?? 'network error';
  if (cause !== undefined && cause.code === undefined && /bad port/i.test(cause.message ?? ''))
    return { kind: 'bad_port', code: 'bad port', maybeSent: false, permanent: true };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return { kind: 'connect_timeout', code, maybeSent: false, permanent: false };
  if (code === 'ECONNREFUSED') return { kind: 'refused', code, maybeSent: false, permanent: false };
  if (code === 'ENOTFOUND') return { kind: 'dns', code, maybeSent: false, permanent: true };
  if (code === 'EAI_AGAIN') return { kind: 'dns', code, maybeSent: false, permanent: false };
  if (UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', code, maybeSent: false, permanent: false };
  if (TLS_CODE.test(code)) return { kind: 'tls', code, maybeSent: false, permanent: true };
  if (RESET_CODES.has(code) || e.message === 'terminated')
    return { kind: 'reset', code: RESET_CODES.has(code) ? code : 'terminated', maybeSent: true, permanent: false };
  // fetch refuses some URLs before connecting: nothing was sent, and nothing will change.
  if (cause !== undefined && cause.code === undefined && /invalid url|unsupported protocol/i.test(cause.message ?? ''))
    return { kind: 'other', code, maybeSent: false, permanent: true };
  return { kind: 'other', code, maybeSent: true, permanent: false };
}

export interface FailureContext {
  method: string;
  /** The full URL that was requested (no credentials ever appear in it). */
  url: string;
  /** Path and query, for messages about one request. */
  path: string;
  /** PostHog answered an earlier request of this run: a reset is then PostHog's side, not a wrong host. */
  answeredBefore: boolean;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Which retry budget ran out, when the request was retried. */
  gaveUp?: string | undefined;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** One or two sentences: what failed (with the code), then what to check. */
export function describeNetworkFailure(f: NetworkFailure, ctx: FailureContext): string {
  const u = new URL(ctx.url);
  const retried = ctx.gaveUp ? `, ${ctx.gaveUp}` : '';
  const reach = (what: string, todo: string) => `Could not reach PostHog at ${ctx.url}: ${what}${retried} (${f.code}). ${todo}`;
  switch (f.kind) {
    case 'refused':
      return reach('the connection was refused', 'Check --host / POSTHOG_HOST and that PostHog is running there.');
    case 'dns':
      return f.permanent
        ? reach(`the host name ${u.hostname} was not found`, 'Check the spelling of --host / POSTHOG_HOST.')
        : reach(`the host name ${u.hostname} could not be resolved just now`, 'Check your DNS and network, then try again.');
    case 'unreachable':
      return reach(`${u.host} is unreachable from this machine`, 'Check your network, VPN or proxy.');
    case 'tls':
      return reach(
        'the TLS connection could not be set up',
        'Check that --host is the right https:// address and that its certificate is valid; a proxy with its own certificate authority needs NODE_EXTRA_CA_CERTS.',
      );
    case 'bad_port':
      return reach(
        `fetch refuses to connect to port ${u.port}, one of the ports it blocks as unsafe`,
        'Run PostHog (or the emulator) on another port.',
      );
    case 'connect_timeout':
      return reach(
        `no connection within ${seconds(ctx.connectTimeoutMs)}`,
        'Check --host / POSTHOG_HOST and your network (HOGSYNC_CONNECT_TIMEOUT_MS sets the limit).',
      );
    case 'timeout':
      return `PostHog at ${u.origin} did not answer ${ctx.method} ${ctx.path} within ${seconds(ctx.timeoutMs)}${retried}. Try again later, or raise HOGSYNC_TIMEOUT_MS.`;
    case 'reset':
      return ctx.answeredBefore
        ? `The connection to PostHog was reset during ${ctx.method} ${ctx.path}${retried} (${f.code}). Try again; if it keeps happening, something between you and PostHog is cutting connections.`
        : reach(
            'the connection was closed before any answer',
            'Check --host / POSTHOG_HOST (an https:// server addressed with http:// does this).',
          );
    default:
      return reach('the request failed', 'Check --host / POSTHOG_HOST and your network.');
  }
}

/** The short form for AmbiguousWriteError: why the write's fate is unknown. */
export function ambiguityReason(f: NetworkFailure, timeoutMs: number): string {
  if (f.kind === 'timeout') return `no answer within ${seconds(timeoutMs)}`;
  if (f.kind === 'reset') return `the connection was reset (${f.code})`;
  return `the request failed (${f.code})`;
}
