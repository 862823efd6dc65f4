// Lower bounds on wall time, from what PostHog imposes: round-trip latency, page sizes,
// concurrency and rate limits. A tool cannot beat them; the bench prints how close it gets.

/** Pages a list of `n` items takes. */
function pages(n, pageSize) {
  return Math.max(1, Math.ceil(n / pageSize));
}

/**
 * Time to list `n` items: the first page (which tells the count), then the rest
 * `concurrency` at a time. A page costs the round trip plus the server's time per row.
 */
function listLatency(n, pageSize, concurrency, latencyMs, perItemMs = 0) {
  const sizes = [];
  for (let left = n; left > 0 || sizes.length === 0; left -= pageSize) sizes.push(Math.max(0, Math.min(pageSize, left)));
  const page = (items) => latencyMs + perItemMs * items;
  let total = page(sizes[0]);
  for (let i = 1; i < sizes.length; i += concurrency) total += Math.max(...sizes.slice(i, i + concurrency).map(page));
  return total;
}

/**
 * DRF's sliding window lets `limit` requests through per window: request i + limit cannot
 * arrive before request i + one window, so r requests need at least
 * floor((r - 1) / limit) windows.
 */
function rateBound(requests, windows) {
  let bound = 0;
  for (const w of windows) bound = Math.max(bound, Math.floor(Math.max(0, requests - 1) / w.limit) * w.windowMs);
  return bound;
}

/**
 * Lower bound of a pull (or the read phase of diff and push): kinds are listed in parallel.
 * A list may cost its own time per row (`l.perItemMs`: a light serializer). A list whose rows lack
 * what a file keeps (`l.retrieve`: dashboards, listed without their tiles) is followed by one
 * retrieve per row, `concurrency` at a time, each serialising `l.retrieve.rows` rows (the dashboard
 * and every insight on its tiles).
 */
export function pullBound({ lists, latencyMs, perItemMs = 0, concurrency, limits }) {
  let latency = 0;
  const perBucket = {};
  for (const l of lists) {
    const retrieves = l.retrieve ? Math.ceil(l.n / concurrency) * (latencyMs + perItemMs * l.retrieve.rows) : 0;
    latency = Math.max(latency, listLatency(l.n, l.pageSize, concurrency, latencyMs, l.perItemMs ?? perItemMs) + retrieves);
    perBucket[l.bucket] = (perBucket[l.bucket] ?? 0) + pages(l.n, l.pageSize) + (l.retrieve ? l.n : 0);
  }
  let rate = 0;
  for (const [bucket, requests] of Object.entries(perBucket)) rate = Math.max(rate, rateBound(requests, limits[bucket] ?? []));
  return { ms: Math.max(latency, rate), requests: Object.values(perBucket).reduce((a, b) => a + b, 0) };
}

/**
 * Lower bound of a push: it reads the project (the plan needs it), then makes `writes`
 * writes in one bucket, `concurrency` at a time and within the rate limits.
 */
export function pushBound({ read, writes, bucket, latencyMs, perItemMs = 0, concurrency, limits }) {
  const readPhase = pullBound(read);
  const latency = Math.ceil(writes / concurrency) * (latencyMs + perItemMs);
  // The last write still has to travel once the window lets it go.
  const rate = rateBound(writes, limits[bucket] ?? []) + latencyMs + perItemMs;
  return { ms: readPhase.ms + Math.max(latency, rate), requests: readPhase.requests + writes };
}
