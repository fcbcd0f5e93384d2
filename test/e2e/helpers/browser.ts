import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from './build.ts';

export const CHROMIUM = process.env.DURE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/e2e');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };

/** Debian's chromium, headless, with the background chatter switched off. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: apt-get install -y chromium (or set DURE_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface ContextOptions {
  baseURL: string;
  /** The browser's preferred language, e.g. 'ko-KR' or 'en-US' (drives navigator.languages). */
  locale?: string;
  viewport?: { width: number; height: number };
}

/** A fresh browser profile (no cookies, no localStorage) pointed at the test server. */
export async function newContext(browser: Browser, o: ContextOptions): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL: o.baseURL,
    locale: o.locale ?? 'ko-KR',
    timezoneId: 'Asia/Seoul',
    viewport: o.viewport ?? DESKTOP,
    deviceScaleFactor: 1,
  });
  // Generous: CI machines are shared, and argon2 hashing on sign-up is CPU-bound by design.
  ctx.setDefaultTimeout(30_000);
  return ctx;
}

/** Saves a full-page screenshot to test-results/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Let fonts and transitions settle so the picture shows what a person would see.
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.waitForTimeout(250);
  await page.screenshot({ path: file, fullPage });
  return file;
}

let counter = 0;
/** An email no other test in this run uses. */
export const uniqueEmail = (who: string) => `${who}.${Date.now().toString(36)}${(counter++).toString(36)}@e2e.dure.test`;

/** The input whose label is exactly this text (a required field's label ends in a decorative " *"). */
export const field = (page: Page, label: string) =>
  page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));

/** The texts of the main navigation's links, in order. */
export async function navLinks(page: Page): Promise<string[]> {
  await page.locator('nav a').first().waitFor({ state: 'attached' });
  return (await page.locator('nav a').allInnerTexts()).map((s) => s.trim());
}
