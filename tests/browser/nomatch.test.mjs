// A desk with the semantic model says "no fact-check matches this" for posts that repeat
// nothing checked (a banana-bread recipe, the weather), in the queue and on the item page,
// and keeps showing the nearest fact-checks only as "nearest, not a match"; a real repeat
// is still a match.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USERS, launch } from './lib.mjs';

const BASE = (process.env.CLAIMDESK_SEMANTIC_URL || '').replace(/\/$/, '');
if (!BASE) throw new Error('CLAIMDESK_SEMANTIC_URL is not set: run tests/browser/run.sh');
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

let browser;
let page;

before(async () => {
  browser = await launch({ viewport: { width: 1280, height: 900 } });
  page = await browser.context.newPage();
  await page.goto(`${BASE}/login`);
  const form = page.locator('form#login');
  await form.locator('input[name=username]').fill('editor');
  await form.locator('input[name=password]').fill(USERS.editor);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/', { timeout: 15_000 }),
    form.locator('button[type=submit]').click(),
  ]);
});
after(async () => { await browser?.close(); });

/** The queue entry whose text contains `words`, searched for in the queue. */
async function entry(words) {
  await page.goto(`${BASE}/?q=${encodeURIComponent(words)}`);
  const li = page.locator('#results ol.queue > li.entry', { hasText: words }).first();
  await li.waitFor();
  return li;
}

for (const [name, words] of [['banana bread', 'Banana bread'], ['rain', 'mưa to']]) {
  test(`${name}: no fact-check matches, in the queue and on the item page`, async () => {
    const li = await entry(words);
    const top = li.locator('p.top');
    assert.match(await top.innerText(), new RegExp(en('match.no_match').replace('.', '\\.')));
    assert.equal(await top.locator('.badge.ok').count(), 0, 'no confident badge');
    await li.locator('p.text a').click();
    await page.waitForURL(/\/items\/\d+$/);
    const note = page.locator('p.no-match');
    assert.match(await note.innerText(), new RegExp(en('match.no_match').replace('.', '\\.')));
    assert.equal(await page.locator('article.match .badge.ok').count(), 0);
    const first = page.locator('article.match').first();
    assert.match(await first.locator('.badge').innerText(), new RegExp(en('match.nearest')));
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `no-match-${name.replace(' ', '-')}.png`), fullPage: true });
  });
}

test('a repeat of a checked claim is still matched, with its reasons in words', async () => {
  const li = await entry('nước chanh nóng');
  const top = li.locator('p.top');
  assert.doesNotMatch(await top.innerText(), new RegExp(en('match.no_match').replace('.', '\\.')));
  await li.locator('p.text a').click();
  await page.waitForURL(/\/items\/\d+$/);
  assert.equal(await page.locator('p.no-match').count(), 0);
  const first = page.locator('article.match').first();
  assert.match(await first.locator('p.claim').innerText(), /chanh/i);
  const signals = await first.locator('p.signals').innerText();
  assert.ok(signals.length > 10, `reasons in words: ${signals}`);
});
