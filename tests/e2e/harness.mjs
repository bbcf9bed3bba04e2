// Shared by the end-to-end tests: a static server for the release build
// (dist/) on 127.0.0.1, Debian's Chromium through playwright-core, and a
// page that records every console error, uncaught exception and failed
// request (but not a request its own navigation cut off).
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { before, after } from "node:test";
import assert from "node:assert/strict";

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
  ".webmanifest": "application/manifest+json",
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
 * the returned `pages` later are served too. With `prefix` ("/drills"), the
 * folder is served under that path only (a docs site's sub-path), and
 * `url` points there. With `gzip`, it serves as a production host does
 * (what Lighthouse and the download figures are measured on): files go out
 * gzip-compressed to a browser that accepts it, with an ETag, and a
 * revalidation of an unchanged file is answered 304 with no body. `sent`
 * lists what went out, { path, bytes } (the body's bytes as sent), for
 * the benchmarks.
 */
export async function serveStatic(root, pages = {}, { prefix = "", gzip = false } = {}) {
  const compressed = new Map();
  const sent = [];
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const delay = delays.find(([prefix]) => path.startsWith(prefix));
    if (delay) await new Promise((ok) => setTimeout(ok, delay[1]));
    if (req.socket.destroyed) return; // closed meanwhile
    if (Object.hasOwn(pages, path)) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(pages[path]);
      return;
    }
    if (!root || !path.startsWith(`${prefix}/`)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    path = path.slice(prefix.length);
    const file = normalize(join(root, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const headers = { "content-type": types[extname(file)] ?? "application/octet-stream" };
      if (gzip) {
        headers.etag = `"${createHash("sha1").update(body).digest("hex")}"`;
        if (req.headers["if-none-match"] === headers.etag) {
          sent.push({ path, bytes: 0 });
          res.writeHead(304, { etag: headers.etag }).end();
          return;
        }
      }
      if (gzip && !/\.png$/.test(file) && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
        if (!compressed.has(file)) compressed.set(file, gzipSync(body, { level: 9 }));
        headers["content-encoding"] = "gzip";
        headers.vary = "accept-encoding";
        sent.push({ path, bytes: compressed.get(file).length });
        res.writeHead(200, headers).end(compressed.get(file));
        return;
      }
      sent.push({ path, bytes: body.length });
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${prefix}/`,
    origin,
    pages,
    sent,
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

/** How the tests start Chromium: headless Debian Chromium, never a downloaded browser. */
export const chromiumOptions = {
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
};

/** Launches headless Debian Chromium (never a downloaded browser). */
export async function launchBrowser() {
  return chromium.launch(chromiumOptions);
}

/**
 * A new page in a fresh context that collects what goes wrong in it in
 * `page.problems` (see watchProblems). The app registers its service worker
 * once it has started; a test that intercepts requests with page.route
 * passes `serviceWorkers: "block"`, as the worker would answer them first.
 */
export async function openPage(browser, { width = 1280, height = 800, colorScheme = "light", serviceWorkers = "allow" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, serviceWorkers });
  const page = await context.newPage();
  watchProblems(page);
  return page;
}

/**
 * Collects in `page.problems` the console errors, uncaught exceptions,
 * HTTP error responses and failed requests of `page` and its frames.
 *
 * Not a problem: a request aborted (net::ERR_ABORTED) because its document
 * went away. The app loads its core-only module (env/firedrill_env.js and
 * its wasm) after it starts, so a test that reloads or navigates soon after
 * a load can cut that request off, more often on a loaded machine. Chromium
 * aborts the old document's requests when the new document commits and
 * reports the abort just before the navigation (`requestfailed`, then
 * `framenavigated`), so an abort is judged against the navigations in
 * flight: one that fails while a navigation of its frame or of a frame
 * above it is in flight is held until that navigation commits (then it is
 * dropped) or fails (then it is a problem: the document stayed). Aborts in
 * a closed page or a detached frame are dropped too. Any other failure,
 * and an abort in a live page with no navigation in flight (the page's
 * own AbortController, window.stop()), is a problem.
 */
export function watchProblems(page) {
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) page.problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });

  // frame → its navigation requests started and neither committed nor failed.
  const navigating = new Map();
  // Aborted requests waiting for the navigations in flight when they failed.
  let held = [];
  const frameOf = (request) => {
    try {
      return request.frame();
    } catch {
      return null; // a service worker's request
    }
  };
  const withoutHash = (url) => url.split("#")[0];
  const inFlight = (frame, except) => [...(navigating.get(frame) ?? [])].some((n) => n !== except);
  // What held on a navigation that failed and waits on nothing else is a problem.
  const settle = () => {
    const waiting = [];
    for (const abort of held) {
      if (abort.frames.some((frame) => inFlight(frame))) waiting.push(abort);
      else page.problems.push(abort.problem);
    }
    held = waiting;
  };

  page.on("request", (request) => {
    if (!request.isNavigationRequest()) return;
    const frame = frameOf(request);
    if (!frame) return;
    if (!navigating.has(frame)) navigating.set(frame, new Set());
    navigating.get(frame).delete(request.redirectedFrom()); // a redirect goes on as this request
    navigating.get(frame).add(request);
  });
  page.on("framenavigated", (frame) => {
    // A new document committed. A same-document navigation (history API,
    // fragment) replaces nothing: it matches no navigation request in
    // flight (unless it goes to the very URL being loaded).
    const url = withoutHash(frame.url());
    if (![...(navigating.get(frame) ?? [])].some((n) => withoutHash(n.url()) === url)) return;
    navigating.delete(frame);
    held = held.filter((abort) => !abort.frames.includes(frame));
  });
  page.on("requestfailed", (request) => {
    const error = request.failure()?.errorText;
    const problem = `request failed: ${request.url()} (${error})`;
    const frame = frameOf(request);
    const navigation = request.isNavigationRequest() && frame && navigating.get(frame)?.delete(request);
    if (error === "net::ERR_ABORTED" && frame) {
      if (page.isClosed() || frame.isDetached()) return;
      const frames = [];
      for (let f = frame; f; f = f.parentFrame()) if (inFlight(f, request)) frames.push(f);
      if (frames.length) held.push({ problem, frames });
      else page.problems.push(problem);
    } else {
      page.problems.push(problem);
    }
    if (navigation) settle();
  });
  page.on("close", () => {
    held = [];
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

/** Saves a screenshot of one element to tests/e2e/screenshots/NAME.png. */
export async function screenshotOf(locator, name) {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await locator.screenshot({ path });
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

/** Plays `scenario` (seed 2) with the oracle's actions to its debrief; returns the native run. */
export async function playToDebrief(page, url, scenario) {
  const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "2", "--agent", "oracle", "--json"]);
  await page.goto(`${url}?scenario=${scenario.id}&seed=2`);
  await page.getByTestId("action-submit").waitFor();
  for (const action of run.actions) await playAction(page, action);
  await page.getByTestId("debrief").waitFor();
  assert.equal(await page.getByTestId("grade-score").innerText(), run.score.toFixed(4));
  return run;
}

/** Asks the PromQL console for the firing alerts and waits for its table. */
export async function queryConsole(page) {
  await page.getByTestId("promql-input").fill("count by (alertname) (ALERTS)");
  await page.getByTestId("promql-run").click();
  const result = page.getByTestId("promql-result");
  await result.waitFor();
  return result.getAttribute("data-result-type");
}

const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG 2.1 A/AA violations on the page, one line each (none: []). */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`,
  );
}
