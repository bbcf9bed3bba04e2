// The release build loads in Chromium without any console error or
// uncaught exception, shows the shell (header, the three stages, the
// built-in scenarios), starts a drill, and is screenshotted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { useSession, openPage, screenshot, nativeCli, playAction, distDir } from "./harness.mjs";

const session = useSession();

test("the shell loads cleanly, lists scenarios per stage and starts a drill", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("scenario-list").waitFor();
  assert.equal(await page.locator("#boot").count(), 0, "loading screen gone");
  assert.match(await page.locator(".brand-name").innerText(), /Firedrill/);
  assert.equal(await page.getByTestId("task-tab").count(), 3);

  let total = 0;
  for (const task of ["severity_classification", "root_cause_analysis", "full_incident_management"]) {
    await page.locator(`[data-testid=task-tab][data-task=${task}]`).click();
    const count = await page.getByTestId("scenario-option").count();
    assert.ok(count > 0, `${task} lists scenarios`);
    total += count;
  }
  await screenshot(page, "shell-picker");

  await page.locator("[data-testid=task-tab][data-task=severity_classification]").click();
  await page.getByTestId("seed-input").fill("42");
  await page.getByTestId("seed-input").dispatchEvent("change");
  await page.getByTestId("start-drill").click();
  await page.getByTestId("step-counter").waitFor();
  assert.equal(await page.getByTestId("step-counter").innerText(), "0/10");
  assert.equal(await page.getByTestId("episode-status").innerText(), "open");
  assert.ok((await page.locator("[data-testid=service-table] tbody tr").count()) > 0);
  await screenshot(page, "shell-episode");

  const narrow = await openPage(session.browser, { width: 768, height: 1000, colorScheme: "dark" });
  await narrow.goto(session.url);
  await narrow.getByTestId("scenario-list").waitFor();
  await screenshot(narrow, "shell-narrow-dark");

  assert.ok(total >= 3, `scenarios listed: ${total}`);
  assert.deepEqual(page.problems, [], "no console error or uncaught exception");
  assert.deepEqual(narrow.problems, [], "no console error or uncaught exception (narrow)");
});

test("the first view is painted before the engine runs, in the app's words, and nothing moves when the app takes over", async () => {
  const page = await openPage(session.browser, { width: 412, height: 823, serviceWorkers: "block" });
  await page.addInitScript(() => {
    window.layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  // Hold the app's wasm until the loading screen has been read.
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route(/\/firedrill-[0-9a-f]+_bg\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(session.url);
  const boot = page.locator("#boot");
  assert.equal(await boot.isVisible(), true, "the loading screen shows while the wasm loads");
  assert.equal(await page.locator("#boot-message").innerText(), "Loading the drill engine…");
  const words = (root) =>
    page.evaluate((root) => {
      const scope = document.querySelector(root);
      const text = (selector) => [...scope.querySelectorAll(selector)].map((e) => e.textContent.trim());
      return { brand: text(".brand-name"), tagline: text(".tagline"), heading: text("h2"), stages: text(".stage"), titles: text(".task-title"), objective: text(".objective") };
    }, root);
  const shell = await words("#boot");
  await screenshot(page, "shell-loading");
  release();
  await page.getByTestId("scenario-list").waitFor();
  assert.equal(await boot.count(), 0, "the loading screen is gone");
  const app = await page.evaluate(() => {
    const text = (selector) => [...document.querySelectorAll(selector)].map((e) => e.textContent.trim());
    return { brand: text(".brand-name"), tagline: text(".tagline"), heading: text(".picker h2"), stages: text(".task-tab .stage"), titles: text(".task-tab .task-title"), objective: text(".picker .objective") };
  });
  assert.deepEqual(shell, app, "the loading screen says what the app's first view says");
  assert.ok((await page.evaluate(() => window.layoutShift)) < 0.01, "no layout shift when the app replaces the loading screen");

  // The embedded drill's loading screen is the status alone, not the picker.
  const embed = await openPage(session.browser, { serviceWorkers: "block" });
  let releaseEmbed;
  const heldEmbed = new Promise((ok) => (releaseEmbed = ok));
  await embed.route(/\/firedrill-[0-9a-f]+_bg\.wasm$/, async (route) => {
    await heldEmbed;
    await route.continue();
  });
  await embed.goto(`${session.url}?embed=1`);
  assert.equal(await embed.locator("#boot-message").isVisible(), true);
  assert.equal(await embed.locator("#boot .task-tabs").isVisible(), false, "no picker in the embedded drill's loading screen");
  releaseEmbed();
  await embed.getByTestId("embed").waitFor();
  assert.deepEqual(page.problems, []);
  assert.deepEqual(embed.problems, []);
  await page.context().close();
  await embed.context().close();
});

test("the crash panel shows a panic, copies its details, and a reload reopens the saved episode; ?debug=panic is off in release", async () => {
  const scenario = nativeCli(["list", "--json"]).find((s) => s.task === "full_incident_management");
  const page = await openPage(session.browser);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: session.server.origin });
  const episode = `${session.url}?scenario=${scenario.id}&seed=9`;
  await page.goto(episode);
  await page.getByTestId("action-submit").waitFor();
  await playAction(page, { action_type: "investigate", target: scenario.services[0] });
  await page.waitForFunction(() => window.firedrill); // loaded before the page is left
  // A release build ignores ?debug=panic (it panics only in a debug build,
  // trunk build or scripts/dev): the next action plays.
  await page.goto(`${episode}&debug=panic`);
  await page.getByTestId("step-counter").filter({ hasText: /^1\// }).waitFor();
  await playAction(page, { action_type: "classify", parameters: { severity: "P2" } });
  await page.getByTestId("step-counter").filter({ hasText: /^2\// }).waitFor();
  assert.equal(await page.getByTestId("fatal-error").count(), 0, "no panic in the release build");
  // What the app's panic hook does with a panic's message (src/web/app/mod.rs: start).
  await page.evaluate(() => window.firedrillFatal("panicked at src/web/app/mod.rs:1:1:\na deliberate panic"));
  const fatal = page.getByTestId("fatal-error");
  await fatal.waitFor();
  assert.match(await fatal.innerText(), /panicked at src\/web\/app\/mod\.rs:\d+:\d+:\na deliberate panic/);
  await page.getByTestId("fatal-copy").click();
  await page.getByTestId("fatal-copy").filter({ hasText: "Copied" }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^Firedrill stopped: panicked at/);
  assert.match(copied, /page: http:\/\/127\.0\.0\.1:\d+\/\?scenario=/);
  await screenshot(page, "crash-panel");
  assert.deepEqual(page.problems, []);

  // A reload reopens the episode as saved after its last complete step.
  await page.goto(episode);
  await page.getByTestId("step-counter").filter({ hasText: /^2\// }).waitFor();
  await page.getByTestId("action-submit").waitFor();
  await page.context().close();
});

test("a wasm that cannot load shows why instead of a blank page", async () => {
  const page = await openPage(session.browser, { serviceWorkers: "block" });
  await page.route("**/*.wasm", (route) =>
    route.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from("not wasm") }),
  );
  await page.goto(session.url);
  const fatal = page.getByTestId("fatal-error");
  await fatal.waitFor();
  assert.match(await fatal.innerText(), /could not start/i);
  await screenshot(page, "shell-load-failure");
});

test("every page of the build has a Content-Security-Policy and no inline script", async () => {
  const pages = readdirSync(distDir).filter((name) => name.endsWith(".html"));
  assert.ok(pages.includes("index.html") && pages.includes("embed-example.html"));
  for (const name of pages) {
    const html = readFileSync(join(distDir, name), "utf8");
    const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
    assert.ok(csp, `${name}: a CSP meta tag`);
    assert.match(csp[1], /script-src 'self'( 'wasm-unsafe-eval')?;/, `${name}: scripts from the site only`);
    assert.doesNotMatch(csp[1], /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'/, `${name}: no inline script, style or eval`);
    assert.match(csp[1], /style-src 'self';/, `${name}: styles from the site only`);
    assert.deepEqual(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g), null, `${name}: no inline script`);
    assert.doesNotMatch(html, /\son[a-z]+=/i, `${name}: no inline event handler`);
  }
  // The policy holds in use: a drill with its chart, the PromQL console
  // (the lab module loads) with a range chart, and the debrief raise no
  // violation.
  const page = await openPage(session.browser);
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const scenario = nativeCli(["list", "--json"]).find((s) => s.task === "severity_classification");
  await page.goto(`${session.url}?scenario=${scenario.id}&seed=2`);
  await page.getByTestId("promql-run").click();
  await page.getByTestId("promql-result").waitFor();
  await page.getByTestId("promql-range").check(); // the range chart, drawn on a canvas
  await page.getByTestId("promql-run").click();
  await page.locator("[data-testid=promql-result][data-result-type=matrix]").waitFor();
  await playAction(page, { action_type: "classify", parameters: { severity: "P2" } });
  await page.getByTestId("debrief").waitFor();
  await page.waitForFunction(() => window.firedrill && window.firedrill.Env);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
