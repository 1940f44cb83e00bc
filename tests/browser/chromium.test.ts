/**
 * The browser harness itself: Debian's Chromium starts under playwright-core, loads a page served
 * on loopback and runs its script. If this fails, every other browser test would too, for a
 * reason that has nothing to do with Sightline.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';

describe('browser harness', () => {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>t</title><p id="x"></p><script>document.getElementById("x").textContent = String(6 * 7)</script>');
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('runs a page script in headless Chromium', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(url);
      expect(await page.textContent('#x')).toBe('42');
    } finally {
      await browser.close();
    }
  });
});
