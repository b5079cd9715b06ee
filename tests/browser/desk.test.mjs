// The desk as an editor uses it: the queue and its filters, an item with its ranked matches
// and why they matched, the language switch. Saves the README's screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, USERS, launch, signIn } from './lib.mjs';

/** `section.key` → string, from the server's message catalog (flat TOML: sections, key = "..."). */
function catalog(lang) {
  const text = readFileSync(new URL(`../../crates/server/i18n/${lang}.toml`, import.meta.url), 'utf8');
  const out = new Map();
  let section = '';
  for (const line of text.split('\n')) {
    const s = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (s) { section = s[1]; continue; }
    const kv = /^\s*([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line);
    if (kv) out.set(`${section}.${kv[1]}`, JSON.parse(`"${kv[2]}"`));
  }
  return out;
}
const EN = catalog('en');
const VI = catalog('vi');
const SHOTS = process.env.CLAIMDESK_SCREENSHOTS || new URL('../../docs/screenshots', import.meta.url).pathname;

let browser;
let page;
const pageErrors = [];

before(async () => {
  browser = await launch({ viewport: { width: 1280, height: 800 } });
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(page, 'editor', USERS.editor);
});
after(async () => { await browser?.close(); });

/** The queue's rows as {href, text, meta}. */
async function rows() {
  return page.locator('#results ol.queue > li.entry').evaluateAll((lis) => lis.map((li) => ({
    href: li.querySelector('p.text a').getAttribute('href'),
    text: li.querySelector('p.text').textContent,
    meta: [...li.querySelectorAll('p.meta span')].map((s) => s.textContent),
  })));
}
/** The total of the pager's summary ("Showing 1–25 of 119"). */
async function total() {
  const s = await page.locator('#results nav.pager .summary').textContent();
  const m = /(\d+)\D*$/.exec(s);
  assert.ok(m, `pager summary without a total: ${s}`);
  return Number(m[1]);
}

test('catalog strings used below exist and differ between the languages', () => {
  for (const k of ['queue.title', 'why.title', 'item.matches', 'nav.factchecks', 'language.vi']) {
    assert.ok(EN.get(k) && VI.get(k), `${k} in both catalogs`);
    assert.notEqual(EN.get(k), VI.get(k), `${k} is translated`);
  }
});

test('queue: filter by language, then by a search term', async () => {
  await page.goto(`${BASE}/lang/en?next=/`);
  await page.goto(`${BASE}/`);
  assert.equal(await page.locator('main h1').textContent(), EN.get('queue.title'));
  const all = await total();
  const first = await rows();
  assert.ok(first.length > 0, 'the queue has rows');
  const english = EN.get('language.en');
  const vietnamese = EN.get('language.vi');
  assert.ok(first.some((r) => r.meta.includes(english)), 'unfiltered, English items are listed');

  await page.locator('form.filters select[name=language]').selectOption('vi');
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('language') === 'vi'),
    page.locator('form.filters button[type=submit]').click(),
  ]);
  await page.waitForFunction(() => document.querySelectorAll('#results li.entry').length > 0);
  const vi = await rows();
  const viTotal = await total();
  assert.ok(vi.length > 0, 'Vietnamese items exist');
  assert.ok(viTotal < all, `the language filter narrowed the queue (${viTotal} of ${all})`);
  for (const r of vi) assert.ok(r.meta.includes(vietnamese) && !r.meta.includes(english), `only Vietnamese rows: ${r.text.slice(0, 60)} ${r.meta}`);
  // The API agrees with the page.
  const api = await (await page.request.get(`${BASE}/api/items?language=vi&per_page=1`)).json();
  assert.equal(api.paging.total, viTotal, 'page and API count the same Vietnamese items');

  const term = 'chanh';
  assert.ok(vi.some((r) => r.text.includes(term)) && vi.some((r) => !r.text.includes(term)), `the term "${term}" splits the Vietnamese rows`);
  await page.locator('form.filters input[name=q]').fill(term);
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('q') === term && u.searchParams.get('language') === 'vi'),
    page.locator('form.filters input[name=q]').press('Enter'),
  ]);
  await page.waitForFunction((t) => {
    const lis = [...document.querySelectorAll('#results li.entry p.text')];
    return lis.length > 0 && lis.every((p) => p.textContent.toLowerCase().includes(t));
  }, term, { timeout: 10_000 });
  const searched = await rows();
  assert.ok(searched.length < vi.length, `search narrowed the rows (${searched.length} of ${vi.length})`);
  for (const r of searched) {
    assert.ok(r.text.toLowerCase().includes(term), `row matches "${term}": ${r.text.slice(0, 80)}`);
    assert.ok(r.meta.includes(vietnamese), 'still only Vietnamese rows');
  }
  // Every Vietnamese row with the term is still there.
  const expected = vi.filter((r) => r.text.toLowerCase().includes(term)).map((r) => r.href).sort();
  assert.deepEqual(searched.map((r) => r.href).sort(), expected, 'no matching row was lost');
  assert.equal(await page.locator('form.filters select[name=language]').inputValue(), 'vi', 'the filter form keeps its state');

  // The sample posts only (the run's data also holds the XSS corpus, see xss.test.mjs).
  await page.goto(`${BASE}/?source=social.example`);
  await page.waitForLoadState('networkidle');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'queue.png') });
});

test('item: ranked matches with why each matched', async () => {
  await page.goto(`${BASE}/?q=chanh&language=vi`);
  const link = page.locator('#results li.entry p.text a').first();
  await Promise.all([page.waitForURL(/\/items\/\d+$/), link.click()]);
  assert.equal(await page.locator('main h2').first().textContent(), EN.get('item.matches'));
  assert.match(await page.locator('blockquote.item-text').textContent(), /chanh/);
  const cards = page.locator('.matches article.match');
  const n = await cards.count();
  assert.ok(n >= 1, 'the item has ranked matches');
  const ranks = await cards.locator('header .rank').allTextContents();
  assert.deepEqual(ranks, ranks.map((_, i) => `#${i + 1}`), 'matches are numbered by rank');
  const scores = (await cards.locator('header .score').allTextContents()).map((s) => Number(s.replace(/[^\d.]/g, '')));
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i], `scores fall with rank: ${scores}`);
  assert.match(await cards.first().locator('.claim').textContent(), /chanh/i, 'the lemon fact-check ranks first');

  const why = cards.first().locator('details.why');
  assert.equal(await why.locator('summary').textContent(), EN.get('why.title'));
  assert.equal(await why.locator('dl').isVisible(), false, 'the why section starts closed');
  await why.locator('summary').click();
  assert.ok(await why.locator('dl').isVisible(), 'the why section opens');
  const dts = await why.locator('dl dt').allTextContents();
  assert.ok(dts.includes(EN.get('why.lexical')), `why lists the word score: ${dts}`);
  const terms = await why.locator('table.terms tbody tr td:first-child code').allTextContents();
  // Each term it names is a word of the post, with or without its accents.
  const fold = (t) => t.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  const words = new Set(fold(await page.locator('blockquote.item-text').textContent()).split(/[^\p{L}\p{N}]+/u));
  assert.ok(terms.length > 0, 'why names the matched terms');
  for (const t of terms) assert.ok(words.has(fold(t)), `matched term "${t}" is a word of the post`);
  await page.screenshot({ path: join(SHOTS, 'item.png') });
});

test('language switch: Vietnamese and back to English', async () => {
  await page.goto(`${BASE}/factchecks`);
  assert.equal(await page.locator('main h1').textContent(), EN.get('factchecks.title'));
  await Promise.all([page.waitForURL((u) => u.pathname === '/factchecks'), page.locator('ul.langs a[hreflang=vi]').click()]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('main h1').textContent(), VI.get('factchecks.title'), 'Vietnamese title, same page');
  assert.equal(await page.locator('header nav a[href="/"]').textContent(), VI.get('nav.queue'));
  await page.goto(`${BASE}/`);
  assert.equal(await page.locator('main h1').textContent(), VI.get('queue.title'), 'the choice sticks (cookie)');
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.locator('ul.langs a[hreflang=en]').click()]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('main h1').textContent(), EN.get('queue.title'));
  assert.equal(await page.locator('header nav a[href="/factchecks"]').textContent(), EN.get('nav.factchecks'));
});

test('a long unbroken word does not widen the queue past the window', async () => {
  let url = `${BASE}/`;
  for (let n = 0; url && n < 50; n++) {
    await page.goto(url);
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width, `${url}: the page is ${scroll}px wide in a ${width}px window`);
    const next = page.locator('nav.pager a[rel=next]');
    url = (await next.count()) ? new URL(await next.getAttribute('href'), BASE).href : null;
  }
});

test('no script error on any page above', () => {
  assert.deepEqual(pageErrors, []);
});
