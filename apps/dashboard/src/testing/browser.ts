import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium: `npx playwright install` cannot download browsers on these machines. */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

function apt(args: string[]): void {
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status})`);
}

/** Installs Debian's chromium when it is missing (as root, like the services the tests need). */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0)
    throw new Error(
      `the browser tests need ${CHROMIUM}: install Debian's chromium (apt-get install chromium) as root`,
    );
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'chromium']);
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is not there`);
  return CHROMIUM;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile, and one page. */
export async function openBrowser(): Promise<Browser> {
  const executablePath = ensureChromium();
  const profile = await mkdtemp(path.join(tmpdir(), 'curfew-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * How many pixels of the first canvas under `selector` are drawn in `color` (#rrggbb, give or
 * take antialiasing): a run's curve and markers in that run's colour.
 */
export function pixelsOfColor(page: Page, selector: string, color: string): Promise<number> {
  return inkOfColor(page, selector, color).then((ink) => ink.pixels);
}

/**
 * How much of a chart's canvas is drawn in `color`: the pixels, and the rightmost column that
 * has any (-1 when none). A curve over tokens that grows reaches further right, even when it
 * runs flat along the top and adds few pixels.
 */
export function inkOfColor(
  page: Page,
  selector: string,
  color: string,
): Promise<{ pixels: number; right: number }> {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
  // Runs in the page, which has the DOM this workspace's types do not.
  return page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    if (!canvas) return { pixels: 0, right: -1 };
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let pixels = 0;
    let right = -1;
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3] > 128 && Math.abs(data[i] - ${r}) + Math.abs(data[i + 1] - ${g}) + Math.abs(data[i + 2] - ${b}) < 60) {
        pixels++;
        right = Math.max(right, (i / 4) % canvas.width);
      }
    return { pixels, right };
  })()`);
}
