// Shared helpers of the browser tests: the desk's address, Chromium, and signing in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = (process.env.CLAIMDESK_URL || '').replace(/\/$/, '');
if (!BASE) throw new Error('CLAIMDESK_URL is not set: run tests/browser/run.sh');

export const USERS = {
  editor: process.env.CLAIMDESK_EDITOR_PASSWORD,
  reviewer: process.env.CLAIMDESK_REVIEWER_PASSWORD,
  viewer: process.env.CLAIMDESK_VIEWER_PASSWORD,
  admin: process.env.CLAIMDESK_ADMIN_PASSWORD,
};

/**
 * A fresh Chromium profile (persistent context in a temp dir); close() removes it. `locale`
 * is the browser's own language (date inputs, number formats), `en-US` unless given.
 */
export async function launch({ viewport = { width: 1280, height: 800 }, locale = 'en-US' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'claimdesk-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport,
    locale,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
    timeout: 60_000,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Signs `user` in through the desk's sign-in form; success is the redirect to `/` (a
 * failed sign-in stays on /login and times out here).
 */
export async function signIn(page, user, password) {
  await page.goto(`${BASE}/login`);
  const form = page.locator('form#login');
  await form.locator('input[name=username]').fill(user);
  await form.locator('input[name=password]').fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/', { timeout: 15_000 }),
    form.locator('button[type=submit]').click(),
  ]);
}
