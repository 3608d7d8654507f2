import { existsSync } from 'node:fs';

import {
  chromium,
  type Browser as PlaywrightBrowser,
  type BrowserContext as PlaywrightContext,
  type Locator,
  type Page as PlaywrightPage,
} from 'playwright-core';
import puppeteer, {
  type Browser as PuppeteerBrowser,
  type BrowserContext as PuppeteerContext,
  type ElementHandle,
  type HTTPRequest,
  type KeyInput,
  type Page as PuppeteerPage,
} from 'puppeteer-core';

/** Chromium from Debian's packages. Tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Firefox ESR from Debian's packages. */
export const FIREFOX = '/usr/bin/firefox-esr';

/** Viewport of every page, wide enough for the list and the event side by side. */
const VIEWPORT = { width: 1400, height: 900 };

/** Maximum wait for an element or a page load before a Firefox test fails with a message. */
const FIREFOX_TIMEOUT_MS = 20_000;

/**
 * Picks elements like Playwright's locators: the elements that match a CSS
 * selector and whose text contains `hasText`, then the `nth` of those (from 0).
 * Reading or acting without `nth` expects exactly one such element.
 */
export interface Match {
  hasText?: string;
  nth?: number;
}

/** A page open in one of the browsers, with the operations that the browser tests use. */
export interface BrowserPage {
  goto(url: string): Promise<void>;
  /** Waits until the first matching element exists and is visible. */
  waitFor(selector: string, match?: Match): Promise<void>;
  text(selector: string, match?: Match): Promise<string>;
  /** Returns the text of every matching element, in document order. */
  texts(selector: string): Promise<string[]>;
  count(selector: string): Promise<number>;
  attribute(selector: string, name: string): Promise<string | null>;
  /** Returns the value of an input. */
  value(selector: string): Promise<string>;
  isDisabled(selector: string): Promise<boolean>;
  click(selector: string, match?: Match): Promise<void>;
  /** Replaces the value of an input as typing would, with input events. */
  fill(selector: string, value: string): Promise<void>;
  /** Selects an option of a select element by its value. */
  select(selector: string, value: string): Promise<void>;
  setChecked(selector: string, checked: boolean): Promise<void>;
  focus(selector: string): Promise<void>;
  /** Presses a key on the focused element, such as `ArrowDown` or `Enter`. */
  press(key: string): Promise<void>;
  /** Evaluates a JavaScript expression in the page and returns its value, awaited. */
  evaluate<T>(expression: string): Promise<T>;
  readClipboard(): Promise<string>;
}

export interface PageOptions {
  /** Ignores the page's content security policy, to test what else keeps it safe. */
  bypassCSP?: boolean;
}

/** One browser that the browser tests run in, driven through its own automation library. */
export interface BrowserDriver {
  readonly name: string;
  readonly executablePath: string;
  /** Debian package that installs the browser at executablePath. */
  readonly debianPackage: string;
  /** Uncaught errors of the pages opened since the last closePages(). */
  readonly pageErrors: string[];
  launch(): Promise<void>;
  /** Opens a page in a new private context: no cookies or storage carry over from other pages. */
  newPage(options?: PageOptions): Promise<BrowserPage>;
  /** Closes every page and its context, and returns the page errors collected since the last call. */
  closePages(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Why the browser tests cannot run in a browser here, or undefined when they
 * can. They are skipped only on a developer machine without the browser: in
 * CI (`CI` set) a missing browser fails them, because .ci/run installs it.
 */
export function browserSkipReason(driver: BrowserDriver, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (existsSync(driver.executablePath) || env.CI) {
    return undefined;
  }
  return (
    `${driver.executablePath} not found: install ${driver.name} ` +
    `(apt-get install ${driver.debianPackage}) to run the browser tests`
  );
}

/** Returns a driver for each browser that the browser tests run in: Chromium, then Firefox. */
export function browserDrivers(): BrowserDriver[] {
  return [new ChromiumDriver(), new FirefoxDriver()];
}

function assertInstalled(driver: BrowserDriver): void {
  if (!existsSync(driver.executablePath)) {
    throw new Error(
      `${driver.executablePath} not found: .ci/run installs ${driver.name} from Debian's packages before the tests`,
    );
  }
}

/** Headless Chromium through playwright-core. */
class ChromiumDriver implements BrowserDriver {
  readonly name = 'Chromium';
  readonly executablePath = CHROMIUM;
  readonly debianPackage = 'chromium';
  readonly pageErrors: string[] = [];
  #browser: PlaywrightBrowser | undefined;
  #contexts: PlaywrightContext[] = [];

  /** Playwright gives each launch a new temporary profile and removes it on close. */
  async launch(): Promise<void> {
    assertInstalled(this);

    this.#browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }

  async newPage(options: PageOptions = {}): Promise<BrowserPage> {
    const context = await this.#browser!.newContext({ viewport: VIEWPORT, ...options });
    this.#contexts.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);

    const page = await context.newPage();
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    return new PlaywrightBrowserPage(page);
  }

  async closePages(): Promise<string[]> {
    await Promise.all(this.#contexts.splice(0).map((context) => context.close()));
    return this.pageErrors.splice(0);
  }

  async close(): Promise<void> {
    await this.#browser?.close();
  }
}

class PlaywrightBrowserPage implements BrowserPage {
  readonly #page: PlaywrightPage;

  constructor(page: PlaywrightPage) {
    this.#page = page;
  }

  /** Without nth the locator stays strict, so reading it fails when several elements match. */
  #locate(selector: string, match: Match = {}): Locator {
    const locator = this.#page.locator(selector, match.hasText === undefined ? {} : { hasText: match.hasText });
    return match.nth === undefined ? locator : locator.nth(match.nth);
  }

  async goto(url: string): Promise<void> {
    await this.#page.goto(url);
  }

  async waitFor(selector: string, match: Match = {}): Promise<void> {
    await this.#locate(selector, { nth: 0, ...match }).waitFor();
  }

  async text(selector: string, match?: Match): Promise<string> {
    return (await this.#locate(selector, match).textContent()) ?? '';
  }

  texts(selector: string): Promise<string[]> {
    return this.#locate(selector).allTextContents();
  }

  count(selector: string): Promise<number> {
    return this.#locate(selector).count();
  }

  attribute(selector: string, name: string): Promise<string | null> {
    return this.#locate(selector).getAttribute(name);
  }

  value(selector: string): Promise<string> {
    return this.#locate(selector).inputValue();
  }

  isDisabled(selector: string): Promise<boolean> {
    return this.#locate(selector).isDisabled();
  }

  click(selector: string, match?: Match): Promise<void> {
    return this.#locate(selector, match).click();
  }

  fill(selector: string, value: string): Promise<void> {
    return this.#locate(selector).fill(value);
  }

  async select(selector: string, value: string): Promise<void> {
    await this.#locate(selector).selectOption(value);
  }

  setChecked(selector: string, checked: boolean): Promise<void> {
    return this.#locate(selector).setChecked(checked);
  }

  focus(selector: string): Promise<void> {
    return this.#locate(selector).focus();
  }

  press(key: string): Promise<void> {
    return this.#page.keyboard.press(key);
  }

  evaluate<T>(expression: string): Promise<T> {
    return this.#page.evaluate(expression) as Promise<T>;
  }

  readClipboard(): Promise<string> {
    return this.evaluate<string>('navigator.clipboard.readText()');
  }
}

/**
 * Headless Firefox ESR through puppeteer-core and WebDriver BiDi. Playwright
 * cannot drive it: playwright-core 1.65 launches Firefox with `-juggler-pipe`,
 * which only Playwright's own patched build understands, and the tests never
 * download a browser.
 */
class FirefoxDriver implements BrowserDriver {
  readonly name = 'Firefox';
  readonly executablePath = FIREFOX;
  readonly debianPackage = 'firefox-esr';
  readonly pageErrors: string[] = [];
  #browser: PuppeteerBrowser | undefined;
  #contexts: PuppeteerContext[] = [];

  /**
   * Starts Firefox with a new temporary profile, which puppeteer removes on
   * close. Puppeteer's default preferences turn off updates, telemetry and
   * safe browsing, and two more settings keep Firefox off the network.
   * MOZ_DISABLE_NONLOCAL_CONNECTIONS makes Firefox reject connections to other
   * hosts. It also makes Firefox ESR 153 accept the dummy remote-settings URL,
   * which it otherwise ignores while it looks up
   * firefox.settings.services.mozilla.com. `strace -f -e
   * trace=connect,sendto,sendmmsg` over a run of these tests showed no DNS
   * query and no connection beyond 127.0.0.1.
   */
  async launch(): Promise<void> {
    assertInstalled(this);

    this.#browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
      extraPrefsFirefox: {
        'services.settings.server': 'data:,#remote-settings-dummy/v1',
        // Reading the clipboard from a page needs no paste prompt, so a test that reads it
        // never waits for a click that no one makes.
        'dom.events.testing.asyncClipboard': true,
      },
    });
  }

  async newPage(options: PageOptions = {}): Promise<BrowserPage> {
    const context = await this.#browser!.createBrowserContext();
    this.#contexts.push(context);

    const page = await context.newPage();
    page.setDefaultTimeout(FIREFOX_TIMEOUT_MS);
    page.on('pageerror', (error) => this.pageErrors.push(error instanceof Error ? error.message : String(error)));
    await page.setViewport(VIEWPORT);
    if (options.bypassCSP) {
      await serveWithoutPolicy(page, (message) => this.pageErrors.push(message));
    }
    return new PuppeteerBrowserPage(page);
  }

  async closePages(): Promise<string[]> {
    await Promise.all(this.#contexts.splice(0).map((context) => context.close()));
    return this.pageErrors.splice(0);
  }

  async close(): Promise<void> {
    await this.#browser?.close();
  }
}

/** Response headers that describe how the body travelled, which puppeteer sets itself. */
const FRAMING_HEADERS = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding']);

/**
 * Removes the content security policy from the documents that a page loads.
 * WebDriver BiDi has no switch for it, unlike Chromium's DevTools protocol. So
 * each document is fetched here and served to the page without the policy
 * header. Scripts, styles and API requests reach the server untouched.
 */
async function serveWithoutPolicy(page: PuppeteerPage, onError: (message: string) => void): Promise<void> {
  await page.setRequestInterception(true);

  page.on('request', (request: HTTPRequest) => {
    const handled = request.isNavigationRequest() ? respondWithoutPolicy(request) : request.continue();
    handled.catch((error: unknown) => onError(`request interception failed: ${String(error)}`));
  });
}

async function respondWithoutPolicy(request: HTTPRequest): Promise<void> {
  const response = await fetch(request.url());
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => name !== 'content-security-policy' && !FRAMING_HEADERS.has(name)),
  );

  await request.respond({ status: response.status, headers, body: await response.text() });
}

/**
 * Source of a function that runs in the page and returns the element that a
 * selector and a Match pick. It returns null while there is none, or while it
 * is hidden and `visible` is set. Visible means a non-empty box and
 * `visibility: visible`, as in Playwright. Without nth, several matches return
 * an error message.
 */
const PICK_ELEMENT = `(selector, hasText, nth, visible) => {
  const matches = Array.from(document.querySelectorAll(selector)).filter(
    (element) => hasText === null || (element.textContent ?? '').includes(hasText),
  );
  if (nth === null && matches.length > 1) {
    return matches.length + ' elements match ' + selector + (hasText === null ? '' : ' with text ' + hasText);
  }
  const element = matches[nth ?? 0];
  if (!element) {
    return null;
  }
  if (visible) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility !== 'visible') {
      return null;
    }
  }
  return element;
}`;

class PuppeteerBrowserPage implements BrowserPage {
  readonly #page: PuppeteerPage;

  constructor(page: PuppeteerPage) {
    this.#page = page;
  }

  /** Waits for the element that selector and match pick, as Playwright's actions do. */
  async #element(selector: string, match: Match = {}, visible = false): Promise<ElementHandle> {
    const args = JSON.stringify([selector, match.hasText ?? null, match.nth ?? null, visible]).slice(1, -1);
    const handle = await this.#page.waitForFunction(`(${PICK_ELEMENT})(${args})`, { polling: 50 });

    const element = handle.asElement();
    if (element === null) {
      const message = String(await handle.jsonValue());
      await handle.dispose();
      throw new Error(message);
    }
    return element as ElementHandle;
  }

  /** Reads a property of the element that selector and match pick. */
  async #property(selector: string, property: string, match?: Match): Promise<unknown> {
    const element = await this.#element(selector, match);
    try {
      return await (await element.getProperty(property)).jsonValue();
    } finally {
      await element.dispose();
    }
  }

  async goto(url: string): Promise<void> {
    await this.#page.goto(url);
  }

  async waitFor(selector: string, match: Match = {}): Promise<void> {
    const element = await this.#element(selector, { nth: 0, ...match }, true);
    await element.dispose();
  }

  async text(selector: string, match?: Match): Promise<string> {
    return String((await this.#property(selector, 'textContent', match)) ?? '');
  }

  texts(selector: string): Promise<string[]> {
    return this.evaluate(`Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.textContent ?? '')`);
  }

  count(selector: string): Promise<number> {
    return this.evaluate(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
  }

  async attribute(selector: string, name: string): Promise<string | null> {
    const element = await this.#element(selector);
    try {
      return await element.evaluate((target, attribute) => target.getAttribute(attribute), name);
    } finally {
      await element.dispose();
    }
  }

  async value(selector: string): Promise<string> {
    return String(await this.#property(selector, 'value'));
  }

  async isDisabled(selector: string): Promise<boolean> {
    return (await this.#property(selector, 'disabled')) === true;
  }

  async click(selector: string, match?: Match): Promise<void> {
    const element = await this.#element(selector, match, true);
    try {
      await element.click();
    } finally {
      await element.dispose();
    }
  }

  async fill(selector: string, value: string): Promise<void> {
    await this.#page.locator(selector).fill(value);
  }

  async select(selector: string, value: string): Promise<void> {
    await this.#page.locator(selector).fill(value);
  }

  async setChecked(selector: string, checked: boolean): Promise<void> {
    if ((await this.#property(selector, 'checked')) !== checked) {
      await this.click(selector);
    }
  }

  async focus(selector: string): Promise<void> {
    const element = await this.#element(selector, {}, true);
    try {
      await element.focus();
    } finally {
      await element.dispose();
    }
  }

  async press(key: string): Promise<void> {
    await this.#page.keyboard.press(key as KeyInput);
  }

  evaluate<T>(expression: string): Promise<T> {
    return this.#page.evaluate(expression) as Promise<T>;
  }

  readClipboard(): Promise<string> {
    return this.evaluate<string>('navigator.clipboard.readText()');
  }
}
