/**
 * Launches Debian's Chromium (installed by .ci/run when missing) through playwright-core, with
 * the flags a root session on a closed network needs: no sandbox (root), no GPU, and none of the
 * background networking that would flood the closed network with refused connections. A fresh
 * profile directory per launch, removed on close. No browser is downloaded: playwright-core only
 * drives the executable it is given.
 */
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { REPO_ROOT } from '../../local/config.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots and other browser-test artefacts (gitignored). */
export const ARTEFACTS_DIR = join(REPO_ROOT, 'tests', 'artefacts');

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** `userAgent`: what the pages say they are (Clean keeps HeadlessChrome traffic aside as bot_traffic). */
export async function launchBrowser(opts: { userAgent?: string } = {}): Promise<BrowserContext & { close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sightline-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const close = context.close.bind(context);
  return Object.assign(context, {
    async close() {
      await close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  });
}

export function artefactPath(name: string): string {
  mkdirSync(ARTEFACTS_DIR, { recursive: true });
  return join(ARTEFACTS_DIR, name);
}
