// The Content-Security-Policy header of the desk's pages forbids inline script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, signIn } from './lib.mjs';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await browser.context.newPage();
  await signIn(page, 'viewer', USERS.viewer);
});
after(async () => { await browser?.close(); });

/** directive → list of sources, from one header value. */
function parse(csp) {
  const out = new Map();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

test('every kind of page sends a CSP that forbids inline script', async () => {
  const items = (await (await page.request.get(`${BASE}/api/items?per_page=1`)).json()).items;
  const fcs = (await (await page.request.get(`${BASE}/api/factchecks?per_page=1`)).json()).fact_checks;
  const urls = ['/', '/?language=vi&q=chanh', `/items/${items[0].item.id}`, '/factchecks', `/factchecks/${fcs[0].id}`,
    '/no-such-page', '/items/999999999'];
  for (const path of urls) {
    const res = await page.goto(`${BASE}${path}`);
    const header = res.headers()['content-security-policy'];
    assert.ok(header, `${path}: a Content-Security-Policy header`);
    const csp = parse(header);
    const script = csp.get('script-src-elem') || csp.get('script-src') || csp.get('default-src');
    assert.ok(script, `${path}: script-src or default-src is set: ${header}`);
    for (const d of ['script-src', 'script-src-elem', 'script-src-attr', 'default-src']) {
      const sources = (csp.get(d) || []).map((s) => s.toLowerCase());
      for (const bad of ["'unsafe-inline'", "'unsafe-hashes'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:']) {
        assert.ok(!sources.includes(bad), `${path}: ${d} allows ${bad}: ${header}`);
      }
    }
    assert.deepEqual(csp.get('object-src'), ["'none'"], `${path}: object-src 'none'`);
    assert.ok(['\'none\'', '\'self\''].includes((csp.get('base-uri') || [])[0]), `${path}: base-uri is restricted`);
    assert.equal(res.headers()['x-content-type-options'], 'nosniff', `${path}: nosniff`);
  }
});
