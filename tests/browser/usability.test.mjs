// What an editor tripped over (issue 16), in a real browser: the verdict form's language, the
// moves a case offers and the reasons a refused one gives, the verdict form's look, and the
// queue's search with Vietnamese written every way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, signIn } from './lib.mjs';

let browser;
let page;
const pageErrors = [];

before(async () => {
  browser = await launch({ viewport: { width: 1366, height: 900 } });
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(page, 'editor', USERS.editor);
  await page.goto(`${BASE}/lang/en?next=/`);
});
after(async () => { await browser?.close(); });

/** The hrefs of the queue's rows for search `q`. */
async function search(q) {
  await page.goto(`${BASE}/?q=${encodeURIComponent(q)}`);
  return page.locator('#results ol.queue > li.entry p.text a')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
}

test('queue search: accents, capitals and tone-mark styles find the same post (bug 4)', async () => {
  const accented = await search('nước chanh');
  assert.ok(accented.length >= 1, 'the lemon-water post has "nước chanh"');
  const lemon = accented[0];
  for (const q of ['nuoc chanh', 'NƯỚC CHANH', 'Nước Chanh nóng']) {
    const found = await search(q);
    assert.ok(found.includes(lemon), `"${q}" finds ${lemon}: ${found}`);
  }
  // The post writes "thuỷ điện" (the old tone-mark place).
  const dam = await search('thuỷ điện');
  assert.equal(dam.length >= 1, true, 'the dam post');
  assert.deepEqual(await search('thủy điện'), dam);
  assert.deepEqual(await search('THUY DIEN'), dam);
  // The search box as typed (htmx), without accents.
  await page.goto(`${BASE}/`);
  await page.locator('form.filters input[name=q]').fill('nuoc chanh');
  await page.waitForFunction(
    (href) => [...document.querySelectorAll('#results li.entry p.text a')]
      .some((a) => a.getAttribute('href') === href)
      && document.querySelectorAll('#results li.entry').length < 5,
    lemon,
  );
});

let caseUrl;

test('a case offers "Mark drafted" only once a verdict exists, and a refused move says why (bug 2)', async () => {
  const [item] = await search('canh chua ca loc');
  assert.ok(item, 'the soup post');
  await page.goto(`${BASE}${item}`);
  await Promise.all([
    page.waitForURL(/\/cases\/\d+$/),
    page.locator(`form[action="${item}/case"] button`).click(),
  ]);
  caseUrl = new URL(page.url()).pathname;
  await Promise.all([
    page.waitForURL((u) => u.pathname === caseUrl),
    page.locator('button[data-to=verifying]').click(),
  ]);
  assert.equal(await page.locator('dd.case-status').getAttribute('data-status'), 'verifying');
  assert.equal(await page.locator('button[data-to=drafted]').count(), 0, 'no "Mark drafted" yet');
  assert.equal(await page.locator('button[data-to=not_checkable]').count(), 1);
  // An old page (or a hand-made request) posts the move anyway: the page says the API's reason.
  await Promise.all([
    page.waitForLoadState('load'),
    page.evaluate((path) => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = `${path}/transition`;
      for (const [k, v] of [['csrf', document.querySelector('input[name=csrf]').value], ['to', 'drafted']]) {
        const i = document.createElement('input');
        i.type = 'hidden'; i.name = k; i.value = v; f.append(i);
      }
      document.body.append(f);
      f.submit();
    }, caseUrl),
  ]);
  await page.waitForSelector('.error .reason');
  const reason = await page.locator('.error .reason').textContent();
  const id = caseUrl.split('/').pop();
  assert.match(reason, new RegExp(`case ${id} has no draft verdict`));
  assert.doesNotMatch(await page.locator('main').textContent(), /check the filters/);
  const api = await page.request.post(`${BASE}/api/cases/${id}/transition`, {
    data: { to: 'drafted' },
    headers: { 'x-csrf-token': await csrfOf(caseUrl) },
  });
  const body = await api.json();
  assert.ok(body.message.includes(`case ${id} has no draft verdict`), body.message);
});

/** The CSRF token of the page at `path`. */
async function csrfOf(path) {
  await page.goto(`${BASE}${path}`);
  return page.locator('input[name=csrf]').first().inputValue();
}

test('the verdict form: the item\'s language, kept after saving; plain labels, wide boxes (bugs 1, 3)', async () => {
  assert.ok(caseUrl, 'the case of the test before');
  await page.goto(`${BASE}${caseUrl}`);
  const form = page.locator('form.verdict-form');
  assert.equal(await form.locator('select[name=language]').inputValue(), 'vi', 'a Vietnamese post');
  const look = await form.evaluate((f) => {
    const label = getComputedStyle(f.querySelector('label'));
    const bad = getComputedStyle(document.documentElement).getPropertyValue('--bad').trim();
    const probe = document.createElement('span');
    probe.style.color = bad;
    document.body.append(probe);
    const badRgb = getComputedStyle(probe).color;
    probe.remove();
    return {
      color: label.color, badRgb, weight: Number(label.fontWeight),
      textarea: f.querySelector('textarea[name=summary]').getBoundingClientRect().width,
      form: f.getBoundingClientRect().width,
    };
  });
  assert.notEqual(look.color, look.badRgb, 'labels are not in the "false" colour');
  assert.ok(look.weight < 600, `labels are not bold: ${look.weight}`);
  assert.ok(look.textarea > 0.8 * look.form - 40, `text boxes fill the form: ${JSON.stringify(look)}`);

  await form.locator('select[name=rating]').selectOption({ index: 1 });
  await form.locator('textarea[name=summary]').fill('Một món ăn, không phải một nhận định.');
  await Promise.all([
    page.waitForURL((u) => u.pathname === caseUrl),
    form.locator('button[type=submit]').click(),
  ]);
  assert.equal(await page.locator('form.verdict-form select[name=language]').inputValue(), 'vi', 'after saving');
  // Saved again as shown, it stays Vietnamese.
  await Promise.all([
    page.waitForURL((u) => u.pathname === caseUrl),
    page.locator('form.verdict-form button[type=submit]').click(),
  ]);
  const id = caseUrl.split('/').pop();
  const detail = await (await page.request.get(`${BASE}/api/cases/${id}`)).json();
  assert.equal(detail.verdict.language, 'vi', JSON.stringify(detail.verdict));
  assert.equal(await page.locator('button[data-to=drafted]').count(), 1, '"Mark drafted" now');
  assert.deepEqual(pageErrors, []);
});
