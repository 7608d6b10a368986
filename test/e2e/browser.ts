/**
 * The browser checks' one browser: Debian's chromium driven by playwright-core (no browser
 * download), whose pages refuse — and record — every request not for 127.0.0.1 (the machines
 * have no internet, and nothing we serve may need it). Screenshots go where `oms report`
 * archives them (.oms/artifacts/screenshots).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { artifactsDir } from '../../cli/src/ops/report.js';
import { REPO_ROOT } from './helpers.js';

const CHROMIUM = process.env.OMS_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(artifactsDir(REPO_ROOT), 'screenshots');

export interface LocalOnlyBrowser {
  /** Opens `url` in a fresh context (no stored state); the page open before is closed first. */
  open(url: string): Promise<Page>;
  /** A screenshot of the page open now, as `<name>.png` under the screenshots dir. */
  shot(name: string): Promise<void>;
}

/**
 * Launches the browser for this test file (closed after it) and checks after every test that
 * the page it opened loaded nothing from outside 127.0.0.1.
 */
export function useLocalOnlyBrowser(): LocalOnlyBrowser {
  let browser: Browser | undefined;
  let current: { context: BrowserContext; page: Page } | undefined;
  /** Requests of the current page that were not for 127.0.0.1 (each was refused). */
  let foreign: string[] = [];

  const closePage = async () => {
    await current?.context.close();
    current = undefined;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (\`apt-get install -y chromium\`; .ci/run does) or point OMS_CHROMIUM at one`);
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    // Checked after every page: nothing it loaded came from outside 127.0.0.1.
    expect(foreign, 'requests that left 127.0.0.1').toEqual([]);
    await closePage();
  });

  return {
    async open(url) {
      await closePage();
      foreign = [];
      if (!browser) throw new Error('the browser did not start (see the beforeAll error)');
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      current = { context, page };
      await page.route('**/*', (route) => {
        const target = new URL(route.request().url());
        if (target.protocol === 'data:' || target.hostname === '127.0.0.1') return route.continue();
        foreign.push(target.href);
        return route.abort('blockedbyclient');
      });
      await page.goto(url);
      return page;
    },
    async shot(name) {
      if (!current) throw new Error(`no page open for the screenshot ${name}`);
      await current.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
    },
  };
}
