// Acting from the desk instead of the command line (issue 16, frictions), in a real browser:
// an editor acknowledges an alert and dismisses another with a reason, opens a case from a
// narrative and finds its posts attached; an admin adds a drop folder on /sources (a refused
// location says why), pauses and resumes it, and stops watching it; an admin on a phone in
// Vietnamese withdraws a fact-check (a blank reason is refused with why) and its public
// ClaimReview is gone. Saves docs/screenshots/factcheck-withdrawn-vi.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, USERS, launch, signIn } from './lib.mjs';

const SHOTS = process.env.CLAIMDESK_SCREENSHOTS || new URL('../../docs/screenshots', import.meta.url).pathname;

let editor;
let admin;
let ed;
let ad;
const pageErrors = [];
const folder = mkdtempSync(join(tmpdir(), 'claimdesk-web-drop-'));

before(async () => {
  editor = await launch({ viewport: { width: 1366, height: 900 } });
  admin = await launch({ viewport: { width: 390, height: 844 } });
  ed = await editor.context.newPage();
  ad = await admin.context.newPage();
  for (const p of [ed, ad]) p.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(ed, 'editor', USERS.editor);
  await signIn(ad, 'admin', USERS.admin);
  await ed.goto(`${BASE}/lang/en?next=/`);
  await ad.goto(`${BASE}/lang/en?next=/`);
});
after(async () => {
  await editor?.close();
  await admin?.close();
  rmSync(folder, { recursive: true, force: true });
});

test('an editor acknowledges an alert and dismisses another with a reason', async () => {
  await ed.goto(`${BASE}/alerts`);
  const open = ed.locator('li.entry').filter({ has: ed.locator('form[action$="/acknowledge"]') });
  assert.ok(await open.count() >= 2, 'two alerts to act on');
  // Alerts show the post's text, not "item 58".
  assert.ok(await open.first().locator('blockquote.post').count() === 1, 'the post is shown');
  const first = await open.nth(0).getAttribute('id');
  const second = await open.nth(1).getAttribute('id');

  await Promise.all([
    ed.waitForURL((u) => u.pathname === '/alerts'),
    ed.locator(`#${first} form[action$="/acknowledge"] button`).click(),
  ]);
  await ed.waitForSelector(`#${first} p.decided`);
  assert.match(await ed.locator(`#${first} p.decided`).textContent(), /^Acknowledged by editor, /);
  assert.equal(await ed.locator(`#${first} form[action$="/acknowledge"]`).count(), 0);

  const dismiss = ed.locator(`#${second} form.dismiss`);
  await dismiss.locator('input[name=reason]').fill('Satire page, already labelled by the platform');
  await Promise.all([
    ed.waitForURL((u) => u.pathname === '/alerts'),
    dismiss.locator('button').click(),
  ]);
  await ed.waitForSelector(`#${second}.dismissed p.decided`);
  assert.match(await ed.locator(`#${second} p.decided`).textContent(), /Satire page, already labelled by the platform$/);
  const api = await (await ed.request.get(`${BASE}/api/alerts`)).json();
  const byId = (id) => api.alerts.find((a) => `alert-${a.id}` === id);
  assert.equal(byId(first).decision, 'acknowledged');
  assert.equal(byId(second).decision, 'dismissed');
});

test('an editor opens a case from a narrative and finds its posts attached', async () => {
  const list = await (await ed.request.get(`${BASE}/api/narratives?min_items=1`)).json();
  const narratives = list.narratives ?? list;
  // A narrative whose first post has a web address and no case yet.
  const cases = await (await ed.request.get(`${BASE}/api/cases`)).json();
  let chosen;
  for (const n of narratives) {
    if ((cases.cases ?? []).some((c) => c.item === n.representative_item)) continue;
    const item = await (await ed.request.get(`${BASE}/api/items/${n.representative_item}`)).json();
    if (/^https:\/\//.test(item.item?.url ?? item.url ?? '')) { chosen = n; break; }
  }
  assert.ok(chosen, 'a narrative without a case');
  await ed.goto(`${BASE}/narratives/${chosen.id}`);
  await Promise.all([
    ed.waitForURL(/\/cases\/\d+$/),
    ed.locator(`form.open-case button`).click(),
  ]);
  assert.equal(await ed.locator('dd.case-status').getAttribute('data-status'), 'triage');
  const notes = await ed.locator('.note p:not(.meta)').allTextContents();
  assert.ok(
    notes.some((t) => t.startsWith(`Opened from narrative ${chosen.id} (`) && t.includes(`/items/${chosen.representative_item}`)),
    `the narrative's posts are named: ${notes}`,
  );
  const links = await ed.locator('ul.evidence li').count();
  assert.ok(links >= 1, 'the posts\' addresses are evidence');
});

test('an admin adds a drop folder on /sources, a refusal says why, and stops watching it', async () => {
  await ad.goto(`${BASE}/sources`);
  const form = ad.locator('form.add-source');
  await form.locator('input[name=location]').fill('/no/such/folder/anywhere');
  await Promise.all([ad.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
  await ad.waitForSelector('.error .reason');
  assert.match(await ad.locator('.error .reason').textContent(), /is neither an http\(s\) address nor an existing folder/);

  await ad.goto(`${BASE}/sources`);
  await ad.locator('form.add-source input[name=location]').fill(folder);
  await Promise.all([
    ad.waitForURL((u) => u.pathname === '/sources' && u.searchParams.has('added')),
    ad.locator('form.add-source button[type=submit]').click(),
  ]);
  const row = ad.locator('table.sources tbody tr').filter({ hasText: folder });
  assert.equal(await row.count(), 1, 'the folder is listed');
  assert.equal((await row.locator('td').nth(3).textContent()).trim(), '1m', 'a folder is looked at every minute');
  assert.match(await ad.locator('p.notice').textContent(), /Source \d+ added/);
  // No sideways scrolling on the phone with the forms on the page.
  assert.ok(await ad.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

  // Paused, then resumed.
  await Promise.all([
    ad.waitForURL((u) => u.searchParams.has('paused')),
    row.locator('form.pause-source button').click(),
  ]);
  assert.match(await row.locator('td.health').textContent(), /Paused\./);
  await Promise.all([
    ad.waitForURL((u) => u.searchParams.has('resumed')),
    row.locator('form.resume-source button').click(),
  ]);
  assert.doesNotMatch(await row.locator('td.health').textContent(), /Paused\./);

  await Promise.all([
    ad.waitForURL((u) => u.searchParams.has('removed')),
    row.locator('form.remove-source button').click(),
  ]);
  assert.equal(await ad.locator('table.sources tbody tr').filter({ hasText: folder }).count(), 0);

  // An editor sees the sources but no forms to change them.
  await ed.goto(`${BASE}/sources`);
  assert.equal(await ed.locator('form.add-source, form.remove-source').count(), 0);
});

test('an admin withdraws a fact-check on a phone in Vietnamese; a blank reason is refused with why', async () => {
  await ad.goto(`${BASE}/lang/vi?next=/`);
  await ad.goto(`${BASE}/factchecks?q=${encodeURIComponent('Trạm phát sóng 5G')}`);
  const link = ad.locator('a', { hasText: 'Trạm phát sóng 5G làm lây lan virus' }).first();
  await Promise.all([ad.waitForURL(/\/factchecks\/\d+$/), link.click()]);
  const path = new URL(ad.url()).pathname;
  const id = path.split('/').pop();

  // Spaces pass the browser's `required` check; the desk refuses them and says why, in Vietnamese.
  const form = ad.locator('form.withdraw');
  await form.locator('textarea[name=reason]').fill('   ');
  await Promise.all([ad.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
  await ad.waitForSelector('.error .reason');
  assert.match(await ad.locator('.error .reason').textContent(), /rút lại cần có lý do/);

  await ad.goto(`${BASE}${path}`);
  await ad.locator('form.withdraw textarea[name=reason]').fill('Bài viết dựa trên một nguồn đã được chứng minh là giả mạo.');
  await Promise.all([
    ad.waitForURL((u) => u.pathname === path),
    ad.locator('form.withdraw button[type=submit]').click(),
  ]);
  const notice = ad.locator('.notice.withdrawn');
  assert.match(await notice.textContent(), /một nguồn đã được chứng minh là giả mạo/);
  assert.equal(await ad.locator('form.withdraw').count(), 0, 'a withdrawn fact-check offers no second withdrawal');
  assert.ok(await ad.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  await ad.screenshot({ path: join(SHOTS, 'factcheck-withdrawn-vi.png'), fullPage: true });

  // Listed with its badge, and its public ClaimReview answers 410 with the code.
  await ad.goto(`${BASE}/factchecks?q=${encodeURIComponent('Trạm phát sóng 5G')}`);
  assert.equal(await ad.locator('.badge.withdrawn').count(), 1);
  const gone = await fetch(`${BASE}/api/factchecks/${id}.jsonld`);
  assert.equal(gone.status, 410);
  assert.equal((await gone.json()).code, 'withdrawn');
  await ad.goto(`${BASE}/lang/en?next=/`);
});

test('no script error on any page above', () => {
  assert.deepEqual(pageErrors, []);
});
