// Offline use: after one visit the app, an embedding docs page and a copy
// under a sub-path work with the network gone (the service worker sw.js
// answers from its cache); a new build waits for the page's Reload and
// keeps what localStorage holds; the manifest makes the app installable;
// a build opened from disk says how to serve it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import {
  chromiumOptions, watchProblems, launchBrowser, openPage, serveStatic, distDir, nativeCli, playAction, playToDebrief,
  queryConsole, screenshot, screenshotOf, axeViolations,
} from "./harness.mjs";

const browser = await launchBrowser();
after(() => browser.close());

const scenarios = nativeCli(["list", "--json"]);
const rca = scenarios.find((s) => s.id === "connection-pool-exhaustion-v1");

/** Waits until the page is controlled by the build's service worker and its cache is whole. */
async function savedForOffline(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker.controller !== undefined, null, { timeout: 60000 });
  return page.evaluate(async () => {
    const names = (await caches.keys()).filter((name) => name.startsWith("firedrill "));
    const cache = await caches.open(names[0]);
    return { names, files: (await cache.keys()).map((request) => request.url) };
  });
}

/** The files sw.js precaches, from its FILES list. */
async function precachedFiles(root) {
  const source = await readFile(join(root, "sw.js"), "utf8");
  return JSON.parse(source.match(/const FILES = (\[[\s\S]*?\]);/)[1]);
}

/** Load once online, then with the network gone: reload, play, save, query. */
async function offlineRoundTrip(url, name) {
  const page = await openPage(browser);
  const fromWorker = new Map();
  page.on("response", (response) => fromWorker.set(new URL(response.url()).pathname, response.fromServiceWorker()));
  await page.goto(url);
  await page.getByTestId("scenario-option").first().waitFor();
  const saved = await savedForOffline(page);
  // The first visit says it is saved (the worker's claim of the page comes
  // before its "activated": the notice must not depend on their order).
  await page.getByTestId("offline-ready").waitFor({ timeout: 10000 });
  assert.equal(saved.names.length, 1, "one cache for this build");
  const expected = (await precachedFiles(distDir)).map((file) => new URL(file, url).href).sort();
  assert.deepEqual(saved.files.sort(), expected, "every file of the build is cached");

  await page.context().setOffline(true);
  await page.reload();
  await page.getByTestId("scenario-option").first().waitFor();
  const status = page.getByTestId("offline-status");
  await status.waitFor();
  assert.match(await status.innerText(), /Offline: Firedrill is running from the copy saved on this device/);
  await screenshot(page, `offline-${name}`);

  // A scenario never opened before: its file comes from the cache.
  const run = await playToDebrief(page, url, rca);
  await page.getByTestId("leaderboard-row").first().waitFor();
  const board = await page.evaluate(() => localStorage.getItem("firedrill.leaderboard"));
  assert.ok(board && board.includes(rca.id), "the leaderboard entry is saved");
  assert.equal(await queryConsole(page), "vector", "the PromQL console answers");
  const wasm = `${new URL(url).pathname}env/firedrill_env_bg.wasm`;
  assert.equal(fromWorker.get(wasm), true, "the deferred core-only module came from the cache");
  assert.deepEqual(page.problems, []);
  await page.context().close();
  return run;
}

test("after one visit the app works offline: it reloads, plays a drill to its debrief, saves it, answers queries", async () => {
  const server = await serveStatic(distDir);
  try {
    await offlineRoundTrip(server.url, "app");
  } finally {
    await server.close();
  }
});

test("served under a sub-path (a docs site's /drills/), the app works offline the same", async () => {
  const server = await serveStatic(distDir, {}, { prefix: "/drills" });
  try {
    assert.match(server.url, /\/drills\/$/);
    await offlineRoundTrip(server.url, "subpath");
  } finally {
    await server.close();
  }
});

test("an embedding docs page works offline after one visit: both drills come up, one is driven, one is played", async () => {
  const server = await serveStatic(distDir);
  const page = await openPage(browser, { width: 1100, height: 900 });
  try {
    await page.goto(`${server.url}embed-example.html`);
    await page.evaluate(() => document.getElementById("drill-driven").firedrill.ready);
    const drill = page.frame({ url: /index\.html\?embed=1&drill=/ });
    await savedForOffline(drill);

    await page.context().setOffline(true);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll("iframe.firedrill-embed").length === 2);
    await page.evaluate(() => document.getElementById("drill-driven").firedrill.ready);
    await page.click("#drive");
    await page.locator("#log li", { hasText: "grade →" }).waitFor();
    const log = await page.locator("#log").innerText();
    assert.match(log, /query ALERTS → firing on /, "PromQL answers in the embedded drill");
    assert.match(log, /episode_end → score /);

    const manual = page.frame({ url: /index\.html\?embed=1&drill=/ });
    await manual.getByTestId("offline-status").waitFor();
    await playAction(manual, { action_type: "classify", parameters: { severity: "P1" } });
    await page.getByTestId("progress-step").first().waitFor();
    await screenshot(page, "offline-embed");
    assert.deepEqual(page.problems, []);
  } finally {
    await page.context().close();
    await server.close();
  }
});

/**
 * Runs `body(root, server, page)` on a copy of the build served on its own
 * origin: a copy to change in place, as a host's deploy would.
 */
async function onACopyOfTheBuild(name, body) {
  const root = await mkdtemp(join(tmpdir(), `firedrill-${name}-`));
  await cp(distDir, root, { recursive: true });
  const server = await serveStatic(root);
  const page = await openPage(browser);
  try {
    await body(root, server, page);
  } finally {
    await page.context().close();
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** Writes the service worker of the build in `root`, as scripts/post-build does. */
const writeServiceWorker = (root, ...flags) =>
  execFileSync("node", [resolve(distDir, "../scripts/service-worker.mjs"), root, ...flags]);

test("a new build waits for Reload, then runs; localStorage keeps everything", () =>
  onACopyOfTheBuild("update", async (root, server, page) => {
    await page.goto(server.url);
    await page.getByTestId("player-name").fill("Offline Olga");
    await page.getByTestId("player-name").dispatchEvent("change");
    const easy = scenarios.find((s) => s.task === "severity_classification");
    const run = nativeCli(["run", "--scenario", easy.id, "--seed", "4", "--json"]);
    await page.goto(`${server.url}?scenario=${easy.id}&seed=4`);
    await page.getByTestId("action-submit").waitFor();
    for (const action of run.actions) await playAction(page, action);
    await page.getByTestId("leaderboard-row").first().waitFor();
    const before = await savedForOffline(page);
    // A drill in progress when the new build arrives.
    await page.goto(`${server.url}?scenario=${rca.id}&seed=3`);
    await page.getByTestId("action-submit").waitFor();
    await playAction(page, { action_type: "investigate", target: rca.services[0] });
    const stored = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
    assert.ok(Object.keys(stored).length >= 3, `saved data: ${Object.keys(stored)}`);

    // The second build: one file changed, and its service worker written as the build does.
    const boot = join(root, "boot.js");
    await writeFile(boot, (await readFile(boot, "utf8")) + "\nwindow.firedrillBuild = \"second\";\n");
    writeServiceWorker(root);

    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    const notice = page.getByTestId("update-ready");
    await notice.waitFor();
    assert.match(await notice.innerText(), /A new version of Firedrill is ready\. Reload to use it: your progress is kept\./);
    assert.deepEqual(await axeViolations(page), [], "axe finds nothing wrong with the notice");
    await screenshotOf(notice, "offline-update-ready");
    // Not swapped under the running drill: the old build goes on until Reload.
    await playAction(page, { action_type: "investigate", target: rca.services[1] });
    assert.equal(await page.evaluate(() => window.firedrillBuild), undefined);
    assert.match(await page.getByTestId("step-counter").innerText(), /^2\//);

    await page.getByTestId("update-reload").click();
    await page.waitForFunction(() => window.firedrillBuild === "second");
    await page.getByTestId("action-submit").waitFor();
    assert.match(await page.getByTestId("step-counter").innerText(), /^2\//, "the drill in progress is reopened");
    assert.equal(await page.getByTestId("update-ready").count(), 0);
    const caches = await page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith("firedrill ")));
    assert.equal(caches.length, 1, "the old build's cache is gone");
    assert.notEqual(caches[0], before.names[0], "the cache is the new build's");

    const kept = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
    for (const [key, value] of Object.entries(stored)) {
      if (key === "firedrill.episode") continue; // the running drill: its two steps, checked above
      assert.equal(kept[key], value, `${key} is kept`);
    }
    assert.ok(kept["firedrill.leaderboard"]?.includes("Offline Olga"));
    assert.deepEqual(page.problems, []);
  }));

test("a development build's worker removes a release build's cache and itself", () =>
  onACopyOfTheBuild("dev", async (root, server, page) => {
    await page.goto(server.url);
    await page.getByTestId("scenario-option").first().waitFor();
    await savedForOffline(page);
    // scripts/dev's build (trunk serve) on the same address.
    writeServiceWorker(root, "--dev");
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    // It reloads the page, from the server this time.
    await page.waitForFunction(() => navigator.serviceWorker.controller === null, null, { timeout: 20000 });
    await page.getByTestId("scenario-option").first().waitFor();
    assert.deepEqual(await page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith("firedrill "))), []);
    await page.reload();
    await page.getByTestId("scenario-option").first().waitFor();
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null);
    assert.deepEqual(page.problems, []);
  }));

test("the app is installable: its manifest, icons and worker pass Chromium's checks", async () => {
  // Chromium installs nothing from an incognito context: a profile of its own.
  const profile = await mkdtemp(join(tmpdir(), "firedrill-profile-"));
  const context = await chromium.launchPersistentContext(profile, { ...chromiumOptions, viewport: { width: 1280, height: 800 } });
  const server = await serveStatic(distDir, {}, { prefix: "/drills" });
  try {
    const page = watchProblems(await context.newPage());
    await page.goto(server.url);
    await page.getByTestId("scenario-option").first().waitFor();
    await savedForOffline(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, []);
    const manifest = await cdp.send("Page.getAppManifest");
    assert.deepEqual(manifest.errors, []);
    assert.equal(manifest.url, `${server.url}manifest.webmanifest`);
    const parsed = JSON.parse(manifest.data);
    assert.equal(parsed.display, "standalone");
    assert.equal(new URL(parsed.start_url, manifest.url).href, server.url, "start URL and scope relative");
    assert.equal(new URL(parsed.scope, manifest.url).href, server.url);
    const sizes = parsed.icons.map((icon) => `${icon.sizes} ${icon.purpose}`);
    for (const size of ["192x192 any", "512x512 any", "512x512 maskable"]) assert.ok(sizes.includes(size), size);
    for (const icon of parsed.icons) {
      const response = await page.request.get(new URL(icon.src, manifest.url).href);
      assert.equal(response.status(), 200, icon.src);
      assert.equal(response.headers()["content-type"], icon.type);
    }
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
});

test("offline, a link to another site says it needs the network", async () => {
  const server = await serveStatic(distDir);
  const page = await openPage(browser);
  try {
    await page.goto(server.url);
    await page.getByTestId("scenario-option").first().waitFor();
    await page.context().setOffline(true);
    await page.getByTestId("offline-status").waitFor();
    assert.match(await page.getByTestId("offline-status").innerText(), /not saved on this device yet|running from the copy/);
    await page.evaluate(() => {
      const link = document.createElement("a");
      link.href = "https://example.org/runbook";
      link.textContent = "the runbook";
      link.dataset.testid = "outside-link";
      document.querySelector("main").prepend(link);
    });
    await page.getByTestId("outside-link").click();
    const notice = page.getByTestId("offline-link");
    await notice.waitFor();
    assert.match(await notice.innerText(), /opens example\.org, which needs the network: you are offline/);
    assert.equal(new URL(page.url()).origin, server.origin, "the page stayed");
    await page.context().setOffline(false);
    await page.getByTestId("offline-status").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("offline-link").count(), 0);
  } finally {
    await page.context().close();
    await server.close();
  }
});

test("opened from disk, the page says how to serve the folder", async () => {
  const page = await openPage(browser, { serviceWorkers: "block" });
  await page.goto(pathToFileURL(join(distDir, "index.html")).href);
  const message = page.getByTestId("file-protocol");
  await message.waitFor();
  assert.match(await message.innerText(), /cannot run from a file opened on disk[\s\S]*python3 -m http\.server 8000[\s\S]*http:\/\/127\.0\.0\.1:8000\//);
  assert.equal(await page.getByTestId("fatal-error").count(), 0, "no load failure shown on top");
  await screenshot(page, "offline-file-protocol");
  await page.context().close();
});
