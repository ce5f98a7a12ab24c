// The web chat page in real headless Chromium against the whole stack (pool manager, real
// agent processes, gateway with the offline model): connect, send, see a streamed answer and
// a tool call start and finish.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, ensureChromium } from '../support/ensure-chromium.js';
import { startStack, type StackProcess } from '../support/stack-process.js';
import { jwt, testAudience, testIssuer, testSecret } from '../support/tokens.js';

let stack: StackProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  const executablePath = ensureChromium();
  [stack, browser] = await Promise.all([
    startStack({
      WARMGATE_AUTH_HS256_SECRET: testSecret,
      WARMGATE_AUTH_ISSUER: testIssuer,
      WARMGATE_AUTH_AUDIENCE: testAudience,
    }),
    chromium.launch({ executablePath, args: chromiumArgs }),
  ]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('web chat page', () => {
  it('is small, labelled and keyboard-usable', async () => {
    const page = await browser!.newPage();
    await page.goto(`${stack!.baseUrl}/`);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Connected as public-/);
    expect(await page.getByLabel('Message').count()).toBe(1);
    expect(await page.locator('#log').getAttribute('aria-live')).toBe('polite');
    await page.close();
  });

  it('streams an answer and shows a tool call from start to finish', async () => {
    const page = await browser!.newPage();
    // Signed in (the page passes ?access_token= on to the WebSocket upgrade).
    await page.goto(`${stack!.baseUrl}/?access_token=${await jwt({ sub: 'web-user' })}`);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Connected as web-user/);
    // Count the answer's text changes: streaming means more than one before the end.
    // In the page (a string: this file is type-checked without the DOM library).
    await page.evaluate(`
      window.updates = 0;
      new MutationObserver(() => (window.updates += 1)).observe(document.getElementById('log'), {
        subtree: true,
        childList: true,
        characterData: true,
      });
    `);
    const message = page.getByLabel('Message');
    await message.fill('/call market_quote {"symbol":"AAPL"}');
    await message.press('Enter');
    const answer = page.locator('li.assistant[data-state="done"]');
    await answer.waitFor({ timeout: 30_000 });
    const tool = page.locator('li.tool');
    expect(await tool.getAttribute('data-state')).toBe('done');
    expect(await tool.textContent()).toMatch(/Tool market_quote: done in \d+ ms/);
    expect(await answer.textContent()).toMatch(/market_quote returned/);
    expect(await page.evaluate('window.updates')).toBeGreaterThan(3);
    expect(await page.locator('li.error').count()).toBe(0);
    await page.close();
  });

  it('shows a failing tool call', async () => {
    const page = await browser!.newPage();
    await page.goto(`${stack!.baseUrl}/?access_token=${await jwt({ sub: 'web-user' })}`);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Connected/);
    await page.getByLabel('Message').fill('/call no_such_tool {}');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('li.assistant[data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('li.tool').getAttribute('data-state')).toBe('failed');
    await page.close();
  });

  it('shows errors from the gateway', async () => {
    const page = await browser!.newPage();
    await page.goto(`${stack!.baseUrl}/?access_token=expired-or-not-a-token`);
    await page.locator('li.error').waitFor({ timeout: 10_000 });
    expect(await page.locator('li.error').textContent()).toMatch(
      /UNAUTHENTICATED.*token malformed/,
    );
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Disconnected \(1008/);
    await page.close();
  });
});
