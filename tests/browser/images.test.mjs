// Issue 20's acceptance in a real browser: a post that reaches the desk only as a Vietnamese
// screenshot (no text of its own) is read, matched to the fact-check it repeats, and its page
// shows the image, the text read from it (marked as read from the image) and the match; the
// queue marks it as carrying an image.
//
// The screenshot is drawn here by Chromium itself (a social-media post in DejaVu Sans, which
// scripts/test-deps installs), so no image file is committed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, USERS, launch, signIn } from './lib.mjs';

const SHOTS = process.env.CLAIMDESK_SCREENSHOTS || new URL('../../docs/screenshots', import.meta.url).pathname;

/** `section.key` from the English catalog. */
function en(key) {
  const text = readFileSync(new URL('../../crates/server/i18n/en.toml', import.meta.url), 'utf8');
  let section = '';
  for (const line of text.split('\n')) {
    const s = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (s) { section = s[1]; continue; }
    const kv = /^\s*([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line);
    if (kv && `${section}.${kv[1]}` === key) return JSON.parse(`"${kv[2]}"`);
  }
  throw new Error(`no catalog key ${key}`);
}

/** The post as it was shared: the sample's garlic-and-flu claim, in other words. */
const POST = [
  'Mẹ mình bảo ăn ba tép tỏi sống mỗi ngày',
  'là chữa khỏi bệnh cúm trong vòng ba ngày,',
  'không cần đi khám. Chia sẻ cho cả nhà nhé!',
];

let browser;
let page;
const pageErrors = [];

before(async () => {
  browser = await launch({ viewport: { width: 1280, height: 900 } });
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(page, 'editor', USERS.editor);
});
after(async () => { await browser?.close(); });

/** A PNG of `lines` laid out as a social-media post (name, time, text), drawn by Chromium. */
async function screenshot(lines) {
  const canvas = await browser.context.newPage();
  try {
    const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    await canvas.setContent(`<!doctype html><html lang="vi"><meta charset="utf-8">
      <body style="margin:0;background:#f0f2f5">
      <div id="post" style="width:620px;padding:18px 22px;background:#fff;font-family:'DejaVu Sans';color:#050505">
        <div style="display:flex;align-items:center;gap:10px;margin-bottom:12px">
          <div style="width:40px;height:40px;border-radius:50%;background:#8aa4c8"></div>
          <div><div style="font-weight:bold;font-size:16px">Nguyễn Thị Hoa</div>
          <div style="font-size:13px;color:#65676b">2 giờ</div></div>
        </div>
        <div style="font-size:22px;line-height:1.45">${lines.map(esc).join('<br>')}</div>
      </div></body></html>`);
    return await canvas.locator('#post').screenshot({ type: 'png' });
  } finally {
    await canvas.close();
  }
}

test('an item posted as a Vietnamese screenshot shows the image, its text read from it and its match', async () => {
  // The fact-check it repeats, as the API lists it.
  const fcs = (await (await page.request.get(`${BASE}/api/factchecks?q=${encodeURIComponent('tỏi sống')}`)).json()).fact_checks;
  const garlic = fcs.find((f) => /tỏi sống/.test(f.claim) && /cúm/.test(f.claim));
  assert.ok(garlic, `the sample's garlic fact-check: ${JSON.stringify(fcs)}`);

  // Post it the way a partner or the desk's own tools would: the form, the image, no text.
  const png = await screenshot(POST);
  await page.goto(`${BASE}/`);
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const res = await page.request.post(`${BASE}/api/items/upload`, {
    headers: { 'x-csrf-token': csrf },
    multipart: {
      id: 'zalo-screenshot-1',
      source: 'zalo.example',
      image: { name: 'zalo-share.png', mimeType: 'image/png', buffer: png },
    },
  });
  assert.equal(res.status(), 200, await res.text());
  const report = await res.json();
  assert.equal(report.added, 1, JSON.stringify(report));
  const [image] = report.images;
  assert.match(image.sha256 ?? '', /^[0-9a-f]{64}$/, JSON.stringify(image));
  assert.ok(image.text, `text read from the screenshot: ${JSON.stringify(image)}`);
  assert.match(image.text, /tỏi sống/);
  assert.match(image.text, /bệnh cúm/);
  const id = report.items[0];

  // The item page: the image (served by the desk, loaded under its CSP), the text marked as
  // read from it, and the match to the garlic fact-check first.
  await page.goto(`${BASE}/items/${id}`);
  const img = page.locator(`section.item-images img[src="/images/${image.sha256}"]`);
  await img.waitFor();
  await img.scrollIntoViewIfNeeded();
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && el.complete && el.naturalWidth > 0;
  }, `section.item-images img[src="/images/${image.sha256}"]`);
  const natural = await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
  assert.ok(natural[0] > 300 && natural[1] > 80, `the screenshot is shown: ${natural}`);
  assert.match(await page.locator('p.from-image').innerText(), new RegExp(en('item.only_from_image').slice(0, 30)));
  assert.equal(await page.locator('blockquote.item-text').count(), 0, 'no text of its own shown as if typed');
  const figure = page.locator('figure.item-image').first();
  assert.equal((await figure.locator('p.label').innerText()).trim(), en('item.image_text'));
  const read = await figure.locator('blockquote.image-text').innerText();
  assert.match(read, /tỏi sống/);
  assert.equal(await figure.locator('blockquote.image-text').getAttribute('lang'), 'vi');
  const first = page.locator('article.match').first();
  assert.equal(await first.locator('p.claim a').getAttribute('href'), `/factchecks/${garlic.id}`);
  assert.match(await first.locator('p.claim').innerText(), /tỏi sống/);
  assert.equal(await page.locator('p.no-match').count(), 0);

  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'item-from-screenshot.png'), fullPage: true });

  // The queue marks it as a post that carries an image.
  await page.goto(`${BASE}/?source=zalo.example`);
  const row = page.locator('#results ol.queue > li.entry').filter({ has: page.locator(`a[href="/items/${id}"]`) });
  assert.equal((await row.locator('.has-images').innerText()).trim(), `${en('queue.images')} 1`);
  assert.deepEqual(pageErrors, []);
});
