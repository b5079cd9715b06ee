// The dashboard (issue 18) in a real Chromium, in English and Vietnamese: every chart is an
// SVG image with a title and its numbers as a table beside it, no CSP violation (no chart
// script), the CSV downloads answer. Saves docs/screenshots/dashboard-en.png and -vi.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BASE, USERS, launch, signIn } from './lib.mjs';

const SHOTS = process.env.CLAIMDESK_SCREENSHOTS || new URL('../../docs/screenshots', import.meta.url).pathname;

let browser;
let page;
const violations = [];
before(async () => {
  browser = await launch({ viewport: { width: 1280, height: 1500 } });
  page = await browser.context.newPage();
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await signIn(page, 'editor', USERS.editor);
});
after(async () => { await browser?.close(); });

for (const [lang, heading, chart] of [
  ['en', 'Dashboard', 'Items in over time'],
  ['vi', 'Bảng số liệu', 'Bài đăng nhận vào theo thời gian'],
]) {
  test(`the dashboard in ${lang}: charts with titles and tables, CSV downloads`, async () => {
    await page.goto(`${BASE}/lang/${lang}?next=${encodeURIComponent('/dashboard?from=2026-01-01&to=2026-06-30')}`);
    await page.waitForURL((u) => u.pathname === '/dashboard');
    assert.equal(await page.locator('h1').innerText(), heading);
    const charts = page.locator('figure.chart');
    assert.ok(await charts.count() >= 9, 'nine charts');
    const first = charts.first();
    assert.equal(await first.locator('h3').innerText(), chart);
    // The sample's posts run from January to April 2026: six months, one bar each.
    const svg = first.locator('svg[role=img]');
    assert.equal(await svg.locator('title').first().textContent(), chart);
    assert.equal(await first.locator('table caption').innerText(), chart);
    assert.equal(await first.locator('table tbody tr').count(), 6, 'a row per month');
    assert.equal(await first.locator('table tbody tr th').first().innerText(), '2026-01');
    for (const f of await charts.all()) {
      const img = f.locator('svg[role=img]');
      if (await img.count()) assert.equal(await f.locator('table').count(), 1, 'every chart has its table');
    }
    const csv = await first.locator('a[download]').getAttribute('href');
    const res = await page.request.get(`${BASE}${csv}`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^text\/csv/);
    assert.match(await res.text(), /^month,items\n2026-01,3\n/);
    assert.deepEqual(violations, []);
    await page.screenshot({ path: join(SHOTS, `dashboard-${lang}.png`), fullPage: false });
  });
}
