// The browser tests drive Debian's chromium through playwright-core. A fresh machine does not
// have it: install it with apt-get when we are root, or fail saying exactly what to run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const chromiumPath = '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Returns the chromium binary, installing the Debian package first if it is missing. */
export function ensureChromium(): string {
  if (existsSync(chromiumPath)) return chromiumPath;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    throw new Error(
      `${chromiumPath} is missing and this is not root, so it cannot be installed here. ` +
        'Install it with: sudo apt-get update && sudo apt-get install -y chromium',
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'inherit',
      env,
    });
  } catch (cause) {
    throw new Error(
      'installing chromium failed: run `apt-get update && apt-get install -y chromium` and retry',
      {
        cause,
      },
    );
  }
  if (!existsSync(chromiumPath))
    throw new Error(`apt-get installed chromium but ${chromiumPath} is still missing`);
  return chromiumPath;
}
