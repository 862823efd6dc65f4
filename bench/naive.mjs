// What a user's shell script does: one request at a time, the default page size, `next`
// links followed, no rate limiter (a 429 is slept off as Retry-After says).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

async function call(method, url, key, body) {
  for (;;) {
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status === 429) {
      await res.text();
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, wait * 1000));
      call.throttled++;
      continue;
    }
    call.requests++;
    return res.json();
  }
}
call.requests = 0;
call.throttled = 0;

/** Lists every collection page by page and writes one JSON file per resource. */
export async function naivePull({ host, project, key, dir }) {
  call.requests = 0;
  call.throttled = 0;
  const t0 = Date.now();
  for (const [path, folder, retrieve] of [
    ['insights/', 'insights'],
    ['insight_variables/', 'insight-variables'],
    ['hog_functions/?full=true', 'hog-functions'],
    // The dashboard list has no tiles: each dashboard is fetched too.
    ['dashboards/', 'dashboards', true],
    ['alerts/', 'alerts'],
    ['actions/', 'actions'],
    ['cohorts/', 'cohorts'],
  ]) {
    mkdirSync(join(dir, folder), { recursive: true });
    let url = `${host}/api/projects/${project}/${path}`;
    while (url) {
      const page = await call('GET', url, key);
      for (const row of page.results) {
        const item = retrieve ? await call('GET', `${host}/api/projects/${project}/${path}${row.id}/`, key) : row;
        writeFileSync(join(dir, folder, `${item.id}.json`), `${JSON.stringify(item, null, 2)}\n`);
      }
      url = page.next ?? null;
    }
  }
  return { ms: Date.now() - t0, requests: call.requests, throttled: call.throttled };
}

/** Sends one PATCH (or POST) after another. */
export async function naiveWrites({ host, project, key, writes }) {
  call.requests = 0;
  call.throttled = 0;
  const t0 = Date.now();
  for (const w of writes) await call(w.method, `${host}/api/projects/${project}/${w.path}`, key, w.body);
  return { ms: Date.now() - t0, requests: call.requests, throttled: call.throttled };
}
