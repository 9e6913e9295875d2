/**
 * Debian's Chromium driven by playwright-core (which downloads no browser of its own). `.ci/run`
 * installs the `chromium` package; elsewhere set CHROMIUM_PATH, or install it the same way.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => Boolean(p));

export function chromiumPath(): string {
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`No Chromium at ${candidates.join(", ")}: apt-get install -y chromium (Debian), or set CHROMIUM_PATH.`);
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** Where the suite leaves its screenshots (git-ignored). */
export const screenshotDir = path.resolve(__dirname, "..", "..", "test-results", "console");

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
