// Staff exports downloaded by Chromium, which always sends `Accept-Encoding: gzip` (issue 15,
// finding 2: every export then ended after 0 bytes). Each export is downloaded as a file
// and fetched by the page, and both must be whole and parse: CSV rows of the header's width,
// JSON Lines of objects, the sample fact-checks all there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, USERS, launch, signIn } from './lib.mjs';

let browser;
let page;
const responses = new Map();

before(async () => {
  browser = await launch();
  page = await browser.context.newPage();
  // Kept as promises, set at once: reading the headers is asynchronous, and the test must
  // not look before they are read.
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/export/') && !responses.has(path)) {
      responses.set(path, (async () => ({
        acceptEncoding: (await r.request().allHeaders())['accept-encoding'] || '',
        contentEncoding: (await r.allHeaders())['content-encoding'] || '',
      }))());
    }
  });
  await signIn(page, 'viewer', USERS.viewer);
});
after(async () => {
  await browser?.close();
});

/** A minimal RFC 4180 reader: rows of fields (quoted fields may hold commas, quotes, breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Checks an export's text and returns its number of records. */
function check(path, text) {
  if (path.endsWith('.csv')) {
    const rows = parseCsv(text);
    assert.ok(rows.length >= 1, `${path}: no header`);
    const width = rows[0].length;
    assert.equal(rows[0][0], 'id', `${path}: header ${rows[0]}`);
    for (const r of rows) assert.equal(r.length, width, `${path}: row ${r}`);
    return rows.length - 1;
  }
  const lines = text.split('\n').filter((l) => l !== '');
  for (const l of lines) assert.equal(typeof JSON.parse(l), 'object', `${path}: ${l.slice(0, 80)}`);
  assert.ok(text === '' || text.endsWith('\n'), `${path}: cut off`);
  return lines.length;
}

for (const path of ['/export/factchecks.csv', '/export/factchecks.jsonl', '/export/cases.csv', '/export/cases.jsonl']) {
  test(`${path}: downloaded and fetched whole under gzip, and parses`, async () => {
    await page.goto(`${BASE}/factchecks`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate((href) => {
        const a = document.createElement('a');
        a.href = href;
        a.download = '';
        document.body.append(a);
        a.click();
      }, path),
    ]);
    assert.equal(await download.failure(), null, `${path}: download failed`);
    const file = readFileSync(await download.path(), 'utf8');
    const rows = check(path, file);
    const fetched = await page.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, text: await r.text() };
    }, path);
    assert.equal(fetched.status, 200, path);
    assert.equal(fetched.text, file, `${path}: the fetch and the download differ`);
    if (path.startsWith('/export/factchecks')) {
      assert.ok(rows >= 10, `${path}: only ${rows} fact-checks`);
    }
    const seen = await responses.get(path);
    assert.ok(seen, `${path}: no response seen`);
    assert.match(seen.acceptEncoding, /gzip/, `${path}: Chromium did not ask for gzip`);
    assert.equal(seen.contentEncoding, 'gzip', `${path}: not compressed`);
  });
}
