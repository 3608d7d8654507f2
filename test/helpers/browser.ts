import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

/** Chromium from Debian's packages. Tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or undefined when they can. They
 * are skipped only on a developer machine without Chromium: in CI (`CI`
 * set) a missing browser fails them, because .ci/run installs it.
 */
export function browserSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (existsSync(CHROMIUM) || env.CI) {
    return undefined;
  }
  return `${CHROMIUM} not found: install Chromium (apt-get install chromium) to run the browser tests`;
}

/**
 * Starts headless Chromium. Playwright gives each launch a new temporary
 * profile and removes it on close, so no state carries over between runs.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: .ci/run installs Chromium from Debian's packages before the tests`);
  }

  return chromium.launch({
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
