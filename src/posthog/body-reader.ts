// Reads an answer's body as a stream, stopping at a size limit, so a runaway answer ends in a
// clear error instead of exhausting memory or Node's maximum string length.

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The body passed the limit; reading stopped there. */
export class BodyTooLarge extends Error {
  constructor(
    readonly limit: number,
    /** The size the server announced in Content-Length, when it did. */
    readonly announced?: number,
  ) {
    super('answer too large');
  }

  describe(): string {
    const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
    return `the answer is larger than the ${mb(this.limit)} limit${this.announced !== undefined ? ` (${mb(this.announced)})` : ''}`;
  }

  /** What to set to read it: trying again gets the same answer. */
  get advice(): string {
    const MB = 1024 * 1024;
    const enough = Math.ceil(Math.max(this.announced ?? 0, this.limit * 2) / MB);
    return `Trying again gets the same answer: raise the limit (HOGSYNC_MAX_RESPONSE_MB=${enough}, in MB) and run again.`;
  }
}

/** The whole body as text, or BodyTooLarge. A connection that breaks while reading rejects as fetch does. */
export async function readCapped(response: Response, limit: number): Promise<string> {
  const announced = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(announced) && announced > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge(limit, announced);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
