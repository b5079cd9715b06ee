// The workflow as two people do it in the browser: an editor links a matched item to its
// fact-check in one click, opens a case for another item and takes it through triage,
// verifying and a drafted verdict to review; a reviewer publishes it; the public page (no
// sign-in) carries the verdict as ClaimReview JSON-LD; a post repeating the claim, sent right
// after publication, shows the new verdict as its match. Saves docs/screenshots/verdict.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, USERS, launch, signIn } from './lib.mjs';

const SHOTS = process.env.CLAIMDESK_SCREENSHOTS || new URL('../../docs/screenshots', import.meta.url).pathname;
const CLAIM = 'Browser test: drinking sea water every morning cures diabetes';

let editor;
let reviewer;
let visitor;
let ed;
let rev;
let pub;
const pageErrors = [];

before(async () => {
  editor = await launch();
  reviewer = await launch();
  visitor = await launch();
  ed = await editor.context.newPage();
  rev = await reviewer.context.newPage();
  pub = await visitor.context.newPage();
  for (const p of [ed, rev, pub]) p.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(ed, 'editor', USERS.editor);
  await signIn(rev, 'reviewer', USERS.reviewer);
});
after(async () => {
  await editor?.close();
  await reviewer?.close();
  await visitor?.close();
});

/** The case page's status key (`data-status`). */
const status = (page) => page.locator('dd.case-status').getAttribute('data-status');

/** Clicks the move to `to` on a case page and waits for the page to show it. */
async function move(page, to) {
  await Promise.all([page.waitForLoadState('load'), page.locator(`button[data-to="${to}"]`).click()]);
  await page.waitForFunction((s) => document.querySelector('dd.case-status')?.dataset.status === s, to);
}

test('an editor links a matched item to its fact-check in one click', async () => {
  await ed.goto(`${BASE}/items/1`);
  const first = ed.locator('form.link').first();
  const factCheck = await first.locator('input[name=fact_check]').getAttribute('value');
  await Promise.all([ed.waitForURL(/\/cases\/\d+$/), first.locator('button[type=submit]').click()]);
  assert.equal(await status(ed), 'matched_existing');
  assert.equal(await ed.locator(`dd a[href="/factchecks/${factCheck}"]`).count(), 1, 'the case names the linked fact-check');
});

test('a new claim goes from triage to published, approved by a second person', async () => {
  await ed.goto(`${BASE}/items/3`);
  await Promise.all([ed.waitForURL(/\/cases\/\d+$/), ed.locator(`form[action="/items/3/case"] button`).click()]);
  const caseUrl = ed.url();
  assert.equal(await status(ed), 'triage');
  await move(ed, 'verifying');
  // One evidence input, the case's: the verdict cites it.
  const ev = ed.locator('form.evidence-form');
  await ev.locator('input[name=url]').fill('https://evidence.example/diabetes-review');
  await Promise.all([ed.waitForLoadState('load'), ev.locator('button[type=submit]').click()]);
  await ed.waitForSelector('ul.evidence li');
  assert.equal(await ed.locator('textarea[name=evidence]').count(), 0, 'no second evidence box');

  const form = ed.locator('form.verdict-form');
  await form.locator('textarea[name=claim]').fill(CLAIM);
  await form.locator('input[name=headline]').fill('Sea water does not cure diabetes');
  const options = await form.locator('select[name=rating] option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.length >= 5, `the rating scale offers its verdicts: ${options}`);
  await form.locator('select[name=rating]').selectOption(options[0]);
  await form.locator('textarea[name=summary]').fill('No study shows it; drinking sea water dehydrates.');
  await form.locator('select[name=language]').selectOption('en');
  await Promise.all([ed.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
  await ed.goto(caseUrl);
  await move(ed, 'drafted');
  await move(ed, 'in_review');
  assert.equal(await ed.locator('button[data-to="published"]').count(), 0, 'an editor is not offered publishing');

  await rev.goto(caseUrl);
  assert.equal(await status(rev), 'in_review');
  await move(rev, 'published');
  const history = await rev.locator('main').textContent();
  assert.ok(history.includes('reviewer') && history.includes('editor'), 'the case page names both people');
});

test('the published verdict has a public page with ClaimReview JSON-LD', async () => {
  await pub.goto(`${BASE}/verdicts`);
  assert.ok(!pub.url().includes('/login'), 'the public list needs no sign-in');
  const link = pub.locator('a', { hasText: CLAIM });
  assert.equal(await link.count(), 1, 'the verdict is listed');
  await Promise.all([pub.waitForURL(/\/verdicts\/\d+$/), link.click()]);
  const blocks = await pub.locator('script[type="application/ld+json"]').allTextContents();
  assert.equal(blocks.length, 1);
  const review = JSON.parse(blocks[0]);
  assert.equal(review['@type'], 'ClaimReview');
  assert.equal(review.claimReviewed, CLAIM);
  assert.ok(review.reviewRating && review.reviewRating.ratingValue !== undefined, JSON.stringify(review.reviewRating));
  assert.ok(review.reviewRating.alternateName, 'the verdict in words');
  assert.ok(review.author && review.author.name, JSON.stringify(review.author));
  assert.match(review.datePublished, /^\d{4}-\d{2}-\d{2}/);
  assert.match(review.url, /^https?:\/\/.+\/verdicts\/\d+$/);
  assert.ok((await pub.locator('main').textContent()).includes(CLAIM));
  mkdirSync(SHOTS, { recursive: true });
  await pub.screenshot({ path: join(SHOTS, 'verdict.png') });
});

test('a post sent right after publication shows the new verdict as its match', async () => {
  await ed.goto(`${BASE}/items/1`);
  const csrf = await ed.locator('input[name=csrf]').first().getAttribute('value');
  const sent = Date.now();
  const res = await ed.request.post(`${BASE}/api/items`, {
    headers: { 'x-csrf-token': csrf },
    data: [{ id: 'repeat-after-publish', source: 'browser-test', language: 'en', text: 'Doctors confirm: drinking sea water every morning cures diabetes. Share before they delete this!' }],
  });
  assert.equal(res.status(), 200, await res.text());
  const report = await res.json();
  assert.equal(report.items.length, 1, JSON.stringify(report));
  assert.equal(report.below_threshold, 0, 'the post is check-worthy, so it is matched');
  // The desk promises the match within 2 s of publication; wait up to 5 s on a loaded machine.
  let claim = '';
  for (let tries = 0; tries < 10 && !claim.includes(CLAIM); tries++) {
    if (tries > 0) await new Promise((r) => setTimeout(r, 500));
    await ed.goto(`${BASE}/items/${report.items[0]}`);
    claim = (await ed.locator('article.match p.claim').first().textContent().catch(() => '')) || '';
  }
  console.log(`the repeat showed the new verdict ${Date.now() - sent} ms after it was sent`);
  assert.ok(claim.includes(CLAIM), `the first match is the new verdict, not: ${claim}`);
});

test('no script error on any page above', () => {
  assert.deepEqual(pageErrors, []);
});
