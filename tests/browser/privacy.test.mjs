// The privacy check in the browser (issue 21): a viewer checks a draft on /check and sees the
// phone number marked; an editor's verdict whose summary carries a phone number is held at
// publication (the publish button asks for a reason, and the desk refuses the move without
// one); the reviewer publishes with a reason and the case's audit trail shows the override.
// Saves docs/screenshots/check-vi-phone.png and case-privacy-hold.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BASE, USERS, launch, signIn } from './lib.mjs';

const SHOTS = process.env.CLAIMDESK_SCREENSHOTS || new URL('../../docs/screenshots', import.meta.url).pathname;

const PHONE = '0912 345 678';
const REASON = 'The number is the hoax\'s own fake hotline, printed in every copy';

let editor;
let reviewer;
let viewer;
let ed;
let rev;
let vw;
const pageErrors = [];

before(async () => {
  editor = await launch();
  reviewer = await launch();
  viewer = await launch();
  ed = await editor.context.newPage();
  rev = await reviewer.context.newPage();
  vw = await viewer.context.newPage();
  for (const p of [ed, rev, vw]) p.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(ed, 'editor', USERS.editor);
  await signIn(rev, 'reviewer', USERS.reviewer);
  await signIn(vw, 'viewer', USERS.viewer);
});
after(async () => {
  await editor?.close();
  await reviewer?.close();
  await viewer?.close();
});

/** The case page's status key (`data-status`). */
const status = (page) => page.locator('dd.case-status').getAttribute('data-status');

/** Clicks the move to `to` on a case page and waits for the page to show it. */
async function move(page, to) {
  await Promise.all([page.waitForLoadState('load'), page.locator(`button[data-to="${to}"]`).click()]);
  await page.waitForFunction((s) => document.querySelector('dd.case-status')?.dataset.status === s, to);
}

test('a viewer checks a draft on /check and sees the phone number marked', async () => {
  await vw.goto(`${BASE}/check`);
  await vw.locator('textarea[name=text]').fill(`Ai nhặt được ví xin gọi chị Lan ${PHONE} nhé.`);
  await Promise.all([vw.waitForLoadState('load'), vw.locator('form.check-form button[type=submit]').click()]);
  await vw.waitForSelector('section.check-results');
  assert.equal(await vw.locator('mark.sev-high').first().textContent(), PHONE);
  const table = await vw.locator('table.findings').textContent();
  assert.ok(table.includes('Phone number'), table);
  // The same check in Vietnamese on a phone's screen.
  await vw.setViewportSize({ width: 390, height: 844 });
  await vw.goto(`${BASE}/check`);
  await Promise.all([vw.waitForURL((u) => u.pathname === '/check'), vw.locator('ul.langs a[hreflang=vi]').click()]);
  assert.equal(await vw.locator('html').getAttribute('lang'), 'vi');
  await vw.locator('textarea[name=text]').fill(`Ai nhặt được ví xin gọi chị Lan ${PHONE}, nhà ở số 12 ngõ 34 phố Huế nhé.`);
  await Promise.all([vw.waitForLoadState('load'), vw.locator('form.check-form button[type=submit]').click()]);
  await vw.waitForSelector('section.check-results');
  assert.equal(await vw.locator('mark.sev-high').first().textContent(), PHONE);
  const width = await vw.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page fits a phone's width (${width} px)`);
  await vw.screenshot({ path: join(SHOTS, 'check-vi-phone.png'), fullPage: true });
});

test('a reviewer\'s publish is stopped by a finding, overridden with a reason, and audited', async () => {
  // A post of its own, so the other tests' items are untouched.
  await ed.goto(`${BASE}/`);
  const csrf = await ed.locator('input[name=csrf]').first().getAttribute('value');
  const res = await ed.request.post(`${BASE}/api/items`, {
    headers: { 'x-csrf-token': csrf },
    data: [{ id: 'privacy-browser-1', source: 'browser-test', language: 'en', text: 'Browser privacy test: a herbal tea cures every cancer within a week, doctors say.' }],
  });
  assert.equal(res.status(), 200, await res.text());
  const item = (await res.json()).items[0];
  await ed.goto(`${BASE}/items/${item}`);
  await Promise.all([ed.waitForURL(/\/cases\/\d+$/), ed.locator(`form[action="/items/${item}/case"] button`).click()]);
  const caseUrl = ed.url();
  await move(ed, 'verifying');
  const form = ed.locator('form.verdict-form');
  await form.locator('textarea[name=claim]').fill('Browser privacy test: a herbal tea cures every cancer');
  await form.locator('input[name=headline]').fill('Herbal tea does not cure cancer');
  const options = await form.locator('select[name=rating] option').evaluateAll((os) => os.map((o) => o.value));
  await form.locator('select[name=rating]').selectOption(options[0]);
  await form.locator('textarea[name=summary]').fill(`The post came from a seller whose number, ${PHONE}, is on every copy.`);
  await form.locator('select[name=language]').selectOption('en');
  await Promise.all([ed.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
  await ed.goto(caseUrl);
  await move(ed, 'drafted');
  await move(ed, 'in_review');

  await rev.goto(caseUrl);
  const check = await rev.locator('section.publication-check').textContent();
  assert.ok(check.includes(PHONE), `the case page shows the finding: ${check}`);
  await rev.locator('section.publication-check').screenshot({ path: join(SHOTS, 'case-privacy-hold.png') });
  // Stopped: the publish button needs a reason, and without one the desk refuses the move.
  const reason = rev.locator('input[name=override_reason]');
  assert.equal(await reason.count(), 1, 'publishing asks for a reason');
  await rev.locator('button[data-to="published"]').click();
  assert.equal(await reason.evaluate((e) => e.validity.valueMissing), true);
  const token = await rev.locator('input[name=csrf]').first().getAttribute('value');
  const refused = await rev.request.post(`${caseUrl}/transition`, { form: { csrf: token, to: 'published' } });
  assert.equal(refused.status(), 409, 'the desk holds the publication without a reason');
  await rev.goto(caseUrl);
  assert.equal(await status(rev), 'in_review');
  // Overridden with a reason.
  await rev.locator('input[name=override_reason]').fill(REASON);
  await move(rev, 'published');
  const audit = await rev.locator('table.audit').textContent();
  assert.ok(audit.includes('published despite the privacy check'), audit);
  assert.ok(audit.includes(REASON), audit);
});

test('no script error on any page above', () => {
  assert.deepEqual(pageErrors, []);
});
