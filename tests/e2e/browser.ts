/**
 * Headless Chromium for the Web UI checks and pictures: Debian's `chromium` package driven by
 * playwright-core, so nothing is downloaded. `CHROMIUM_PATH` points at another Chromium or Chrome.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export class ChromiumMissingError extends Error {
  constructor() {
    super(
      `no Chromium at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: sudo apt-get install -y chromium) ` +
        'or set CHROMIUM_PATH to a Chromium or Chrome binary',
    );
    this.name = 'ChromiumMissingError';
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh headless Chromium (its own profile directory, removed on close). */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    timezoneId: 'UTC',
    locale: 'en-US',
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
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
