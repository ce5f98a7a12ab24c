// The web chat in real headless Chromium against the real split stack (pool manager, real
// agent processes, a gateway with the offline model): sign-in through the authenticate frame,
// the chart panel and tool cards drawing candles, Markdown, an injection attempt staying
// inert, the conversation surviving a reload, an automatic reconnect after a gateway restart,
// no token in any request URL, and axe-core finding no accessibility violations (wide and
// phone layouts). Screenshots go to gateway/test/web/output/ (not committed).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, ensureChromium } from '../support/ensure-chromium.js';
import { startSplitStack, type SplitStack } from '../reliability/support/split-stack.js';
import { wsCaller } from '../reliability/support/callers.js';
import { jwt } from '../support/tokens.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../fixtures/scripted-openai.js';

const output = fileURLToPath(new URL('./output/', import.meta.url));
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let stack: SplitStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
let llm: ScriptedOpenAi | undefined;
/** What the browser talks to: a TCP proxy in front of the gateway, as a load balancer would
 * be, so a restarted gateway (on a new ephemeral port) is found at the same address. */
let front: { server: Server; baseUrl: string; sockets: Set<Socket> };
/** Every URL the page requested (HTTP and WebSocket), to prove no token travels in one. */
const urls: string[] = [];
/** Response headers by URL (read from the browser: a fetch from this process would hold a
 * keep-alive socket that keeps the gateway's port from being listened on again). */
const headers = new Map<string, Record<string, string>>();

beforeAll(async () => {
  mkdirSync(output, { recursive: true });
  // The bundle this test serves: build it (esbuild, well under a second) so the test never
  // runs against a stale one.
  execFileSync(process.execPath, [
    fileURLToPath(new URL('../../scripts/build-web.js', import.meta.url)),
  ]);
  const executablePath = ensureChromium();
  [stack, browser] = await Promise.all([
    startSplitStack(),
    chromium.launch({ executablePath, args: chromiumArgs }),
  ]);
  token = await jwt({ sub: 'trader', tier: 'pro' });
  // The trader's workspace: a saved indicator, a strategy, the chart on AAPL 1h with an SMA.
  const caller = wsCaller(stack.gateway.baseUrl);
  const calls: [string, Record<string, unknown>][] = [
    [
      'indicator_save',
      { name: 'fast-ema', description: 'EMA 9', spec: { indicator: 'ema', period: 9 } },
    ],
    [
      'strategy_save',
      {
        strategy: {
          name: 'ema-cross',
          description: 'close crosses the EMA 20',
          side: 'long',
          entry: { left: 'close', op: 'crosses_above', right: { indicator: 'ema', period: 20 } },
          exit: { left: 'close', op: 'crosses_below', right: { indicator: 'ema', period: 20 } },
        },
      },
    ],
    ['workspace_set_chart', { symbol: 'AAPL', timeframe: '1h' }],
    [
      'workspace_set_chart_indicators',
      {
        indicators: [
          { id: 'sma20', spec: { indicator: 'sma', period: 20 } },
          { id: 'rsi14', spec: { indicator: 'rsi', period: 14 } },
        ],
      },
    ],
  ];
  for (const [name, args] of calls) {
    const outcome = await caller.callTool(token, name, args as never);
    if (!outcome.ok || outcome.toolError) throw new Error(`${name}: ${JSON.stringify(outcome)}`);
  }
  caller.close();
  front = await startFront(() => stack.gateway.httpPort);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.on('request', (request) => urls.push(request.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
  page.on('response', (response) => headers.set(response.url(), response.headers()));
}, 300_000);

afterAll(async () => {
  for (const socket of front?.sockets ?? []) socket.destroy();
  front?.server.close();
  await browser?.close();
  await stack?.close();
  await llm?.close();
});

async function startFront(port: () => number) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port(), '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).on('close', () => client.destroy());
    upstream.pipe(client).on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: frontPort } = server.address() as { port: number };
  return { server, sockets, baseUrl: `http://127.0.0.1:${frontPort}` };
}

const status = () => page.locator('#status');
const answers = () => page.locator('li.assistant');

/** Non-white pixels in the canvases under `selector` (lightweight-charts draws on canvases). */
function inkedPixels(selector: string): Promise<number> {
  return page.evaluate(`(() => {
    let inked = 0;
    for (const canvas of document.querySelectorAll(${JSON.stringify(selector)} + ' canvas')) {
      if (!canvas.width || !canvas.height) continue;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) inked++;
      }
    }
    return inked;
  })()`);
}

async function ask(text: string) {
  const before = await answers().count();
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
  const answer = answers().nth(before);
  await expect
    .poll(() => answer.getAttribute('data-state'), { timeout: 30_000 })
    .toMatch(/done|failed/);
  return answer;
}

async function axeViolations(): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; help: string; nodes: { target: string[] }[] }[];
  };
  return result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`,
  );
}

describe('web chat page', () => {
  it('signs in with the authenticate frame and shows the workspace: chart, indicators, strategies', async () => {
    const response = await page.goto(`${front.baseUrl}/`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response!.headers()['cache-control']).toBe('no-cache');
    await expect.poll(() => status().textContent()).toMatch(/Connected as public-/);
    await page.locator('.signin summary').click();
    await page.getByLabel(/Access token/).fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => status().textContent()).toMatch(/Connected as trader \(pro\)/);
    await expect
      .poll(() => page.locator('#chart-caption').textContent(), { timeout: 20_000 })
      .toBe('AAPL · 1h · sma20, rsi14');
    await expect.poll(() => inkedPixels('#chart')).toBeGreaterThan(2_000);
    await expect.poll(() => page.locator('#indicators').textContent()).toContain('fast-ema');
    await expect.poll(() => page.locator('#strategies').textContent()).toContain('ema-cross');
    // A hashed asset is cached for good.
    const script = urls.find((url) => /\/assets\/main-\w+\.js$/.test(url))!;
    expect(headers.get(script)).toMatchObject({
      'cache-control': 'public, max-age=31536000, immutable',
      'content-type': 'text/javascript; charset=utf-8',
    });
  });

  it('runs a backtest from the workspace panel and draws its equity curve', async () => {
    await page.getByLabel('Symbol').fill('MSFT');
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await expect
      .poll(() => page.locator('#backtest-result caption').textContent(), { timeout: 20_000 })
      .toMatch(/^ema-cross on MSFT 1h, 500 candles/);
    await expect.poll(() => inkedPixels('#backtest-result')).toBeGreaterThan(500);
  });

  it('answers "chart MSFT 1h" with a candle chart in a tool card and on the chart panel', async () => {
    const answer = await ask('chart MSFT 1h');
    expect(await answer.getAttribute('data-state')).toBe('done');
    expect(await answer.textContent()).toMatch(/100 1h candle\(s\) of MSFT/);
    const card = page.locator('details.tool[data-state="done"]').last();
    expect(await card.locator('.tool-name').textContent()).toBe('market_candles');
    await expect.poll(() => inkedPixels('details.tool:last-of-type .chart')).toBeGreaterThan(2_000);
    await expect.poll(() => page.locator('#chart-caption').textContent()).toMatch(/^MSFT · 1h/);
    await page.screenshot({ path: `${output}chart.png` });
  });

  it('follows the workspace when a tool call changes it', async () => {
    await ask('/call workspace_set_chart {"symbol":"NVDA","timeframe":"4h"}');
    await expect
      .poll(() => page.locator('#chart-caption').textContent(), { timeout: 20_000 })
      .toBe('NVDA · 4h · sma20, rsi14');
    await ask('/call workspace_set_chart {"symbol":"AAPL","timeframe":"1h"}');
    await expect
      .poll(() => page.locator('#chart-caption').textContent(), { timeout: 20_000 })
      .toBe('AAPL · 1h · sma20, rsi14');
  });

  it('answers "How is AAPL doing?" with a quote table, not a JSON dump', async () => {
    const answer = await ask('How is AAPL doing?');
    expect(await answer.textContent()).toMatch(/market_quote returned: AAPL [\d.]+ USD/);
    const card = page.locator('details.tool').last();
    expect(await card.locator('table th').allTextContents()).toContain('last');
  });

  it('renders Markdown in answers', async () => {
    const answer = await ask('what should I buy?');
    // The offline model's list of what it understands: a Markdown list with bold and code.
    expect(await answer.locator('ul > li').count()).toBeGreaterThan(4);
    expect(await answer.locator('strong').first().textContent()).toBe('quote AAPL');
    expect(await answer.locator('code').count()).toBeGreaterThan(0);
  });

  it('keeps an injection attempt inert (in the question and in an answer)', async () => {
    await page.evaluate('window.pwned = 0');
    const answer = await ask('/call market_quote {"symbol":"<img src=x onerror=pwned=1>"}');
    await ask('<script>window.pwned=2</script><b>bold?</b>');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await page.evaluate('window.pwned')).toBe(0);
    expect(await page.locator('#log img, #log script, #log [onerror]').count()).toBe(0);
    expect(await answer.textContent()).toContain('market_quote failed');
    expect(await page.locator('li.user').last().textContent()).toBe(
      '<script>window.pwned=2</script><b>bold?</b>',
    );
  });

  it('restores the conversation on reload and signs in again without a token in the URL', async () => {
    const before = await page.locator('#log > li').allTextContents();
    expect(before.length).toBeGreaterThan(8);
    await page.reload();
    await expect.poll(() => status().textContent()).toMatch(/Connected as trader/);
    expect(await page.locator('#log > li').allTextContents()).toEqual(before);
    await expect.poll(() => inkedPixels('#log .chart')).toBeGreaterThan(2_000);
  });

  it('reconnects on its own after a gateway restart, and answers the next message', async () => {
    const phases: string[] = [];
    await page.exposeFunction('recordPhase', (phase: string) => phases.push(phase));
    await page.evaluate(`new MutationObserver(() => window.recordPhase(document.getElementById('status').dataset.phase))
      .observe(document.getElementById('status'), { attributes: true, childList: true })`);
    await stack.restartGateway();
    await expect
      .poll(() => status().textContent(), { timeout: 30_000 })
      .toMatch(/Connected as trader/);
    expect(phases).toContain('offline');
    const answer = await ask('quote MSFT');
    expect(await answer.textContent()).toMatch(/market_quote returned: MSFT/);
    await page.screenshot({ path: `${output}after-restart.png` });
  });

  it('passes axe-core, wide and on a phone, and is keyboard-usable', async () => {
    expect(await axeViolations()).toEqual([]);
    await page.focus('a.skip'); // the first stop of the tab order
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('message');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('send');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.evaluate('document.documentElement.scrollWidth'))
      .toBeLessThanOrEqual(390);
    expect(await axeViolations()).toEqual([]);
    await page.screenshot({ path: `${output}phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('offers Retry on a retryable error, and the retry is answered (a real LLM stream, Markdown)', async () => {
    llm = await startScriptedOpenAi();
    // The gateway's client retries an HTTP 500 once: two 500s end the turn with UNAVAILABLE.
    llm.script(
      { status: 500 },
      { status: 500 },
      { steps: [{ text: '**Recovered** after ' }, { text: 'a retry.' }] },
    );
    await stack.restartGateway({
      WARMGATE_LLM_BASE_URL: llm.url,
      WARMGATE_LLM_API_KEY: 'test-key',
      WARMGATE_LLM_MODEL: 'scripted-model',
    });
    await expect
      .poll(() => status().textContent(), { timeout: 30_000 })
      .toMatch(/Connected as trader/);
    await page.getByLabel('Message').fill('hello');
    await page.getByLabel('Message').press('Enter');
    const retry = page.getByRole('button', { name: 'Retry' });
    await retry.waitFor({ timeout: 20_000 });
    expect(await page.locator('li.error').last().textContent()).toMatch(/^Error \(UNAVAILABLE\)/);
    await retry.click();
    const answer = answers().last();
    await expect.poll(() => answer.getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    expect(await answer.locator('strong').textContent()).toBe('Recovered');
    expect((await answer.textContent())?.trim()).toBe('Recovered after a retry.');
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
  });

  it('sent no token in any request URL', () => {
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) {
      expect(url).not.toContain(token);
      expect(url).not.toMatch(/access_token|token=/i);
    }
  });
});
