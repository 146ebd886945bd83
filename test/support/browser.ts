/**
 * Debian's chromium through playwright-core, for the dashboard's browser tests: a page whose
 * Content-Security-Policy refusals and script errors are collected, so a test can assert there were none.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SMI_CHROMIUM ?? '/usr/bin/chromium';

export interface WatchedPage { readonly browser: Browser; readonly page: Page; readonly problems: string[] }

export async function watchedPage(): Promise<WatchedPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { browser, page, problems };
}
