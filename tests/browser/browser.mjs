// Shared set-up for the browser tests: Debian's Chromium driven by playwright-core (no browser
// download), axe-core injected from node_modules.

import path from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot } from '../blackbox/server.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export const axePath = path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Launches headless Chromium. Every host name except 127.0.0.1 resolves to nothing, so a page or
 * a redirect can never reach the network: a request to another host is seen by the tests and
 * fails instead of leaving the machine.
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-proxy-server',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
  });
}

export function fail(assert, problems) {
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}
