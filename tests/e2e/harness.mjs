// Shared by the end-to-end tests: a static server for the release build
// (dist/) on 127.0.0.1, Debian's Chromium through playwright-core, and a
// page that records every console error and uncaught exception.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { before, after } from "node:test";

const here = dirname(fileURLToPath(import.meta.url));
export const distDir = resolve(here, "../../dist");
export const screenshotDir = resolve(here, "screenshots");

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".toml": "text/plain; charset=utf-8",
};

/**
 * FIREDRILL_E2E_DELAY="PREFIX=MS,…" answers the paths that start with
 * PREFIX MS milliseconds late, to run the tests as on a slow machine: e.g.
 * "/env/=3000" keeps the deferred core-only module loading for 3 s, so that
 * the tests' reloads and navigations cut it off.
 */
const delays = (process.env.FIREDRILL_E2E_DELAY ?? "")
  .split(",")
  .filter(Boolean)
  .map((rule) => {
    const [prefix, ms] = rule.split("=");
    if (!prefix.startsWith("/") || !(Number(ms) >= 0)) throw new Error(`FIREDRILL_E2E_DELAY: not PREFIX=MS: ${rule}`);
    return [prefix, Number(ms)];
  });

/** Serves dist/ on 127.0.0.1 at a free port; resolves to { url, origin, close }. */
export async function serveDist(pages = {}) {
  return serveStatic(distDir, pages);
}

/**
 * Serves `root` (a folder, or null for none) and `pages` ({ "/path": html })
 * on 127.0.0.1 at a free port: each call is another origin. Pages added to
 * the returned `pages` later are served too.
 */
export async function serveStatic(root, pages = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const delay = delays.find(([prefix]) => path.startsWith(prefix));
    if (delay) await new Promise((ok) => setTimeout(ok, delay[1]));
    if (req.socket.destroyed) return; // closed meanwhile
    if (Object.hasOwn(pages, path)) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(pages[path]);
      return;
    }
    if (!root) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const file = normalize(join(root, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    pages,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

/**
 * For the tests of one file: serves dist/ (and `pages`, { "/path": html })
 * and launches Chromium before them,
 * closes both after; `session.url` and `session.browser` are set by then.
 */
export function useSession(pages = {}) {
  const session = {};
  before(async () => {
    session.server = await serveDist(pages);
    session.url = session.server.url;
    session.browser = await launchBrowser();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}

/** Launches headless Debian Chromium (never a downloaded browser). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/**
 * A new page in a fresh context that collects console errors and uncaught
 * exceptions in `page.problems`.
 */
export async function openPage(browser, { width = 1280, height = 800, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) page.problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  // A request still in flight when the page navigates away is aborted by
  // the navigation (e.g. the deferred core-only module): not a problem.
  let navigations = 0;
  const startedAt = new WeakMap();
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  page.on("request", (request) => startedAt.set(request, navigations));
  page.on("requestfailed", (request) => {
    const error = request.failure()?.errorText;
    if (error === "net::ERR_ABORTED" && startedAt.get(request) !== navigations) return;
    page.problems.push(`request failed: ${request.url()} (${error})`);
  });
  return page;
}

/** Saves a full-page screenshot to tests/e2e/screenshots/NAME.png. */
export async function screenshot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Runs the native CLI (`target/debug/firedrill`, built by `cargo test`, or
 * `target/release/firedrill`) and parses its JSON output.
 */
export function nativeCli(args) {
  return JSON.parse(execFileSync(nativeBinary(), args, { encoding: "utf8", maxBuffer: 64 << 20 }));
}

/** The path of the native CLI binary. */
export function nativeBinary() {
  const root = resolve(here, "../..");
  const binary = ["target/debug/firedrill", "target/release/firedrill"]
    .map((path) => join(root, path))
    .find((path) => existsSync(path));
  if (!binary) throw new Error("no native firedrill binary: run `cargo build --bin firedrill` first");
  return binary;
}

/** Fills the app's action form with an action, without submitting it. */
export async function fillAction(page, action) {
  await page.getByTestId("action-type").selectOption(action.action_type);
  if (action.target) await page.getByTestId("action-target").selectOption(action.target);
  for (const [name, value] of Object.entries(action.parameters ?? {})) {
    const control = page.getByTestId(`action-param-${name}`);
    if ((await control.evaluate((element) => element.tagName)) === "SELECT") {
      await control.selectOption(value);
    } else {
      await control.fill(value);
    }
  }
  await page.getByTestId("action-reasoning").fill(action.reasoning ?? "");
}

/** Plays one action through the app's action form and waits for the step. */
export async function playAction(page, action) {
  const counter = page.getByTestId("step-counter");
  const before = await counter.innerText();
  await fillAction(page, action);
  await page.getByTestId("action-submit").click();
  await page.waitForFunction(
    (previous) => document.querySelector("[data-testid=step-counter]")?.textContent !== previous,
    before,
  );
}
