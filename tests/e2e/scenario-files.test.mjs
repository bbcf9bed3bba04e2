// The built-in scenario files reach the app on demand: the first load
// carries only their listing, a drill's file (scenarios/<file>.toml, next
// to index.html) is fetched the first time it is played, by a URL relative
// to the page, and a failed fetch says so with a Retry button.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { useSession, openPage, serveStatic, distDir, screenshot, nativeCli, playAction } from "./harness.mjs";

const session = useSession();
const scenarios = nativeCli(["list", "--json"]);
// A scenario file's URL: its path, and the listed version in the query.
const scenarioFile = /\/scenarios\/[^/?]+\.toml(\?[^/]*)?$/;

/** Records the scenario files `page` asks for, as URL paths. */
function watchScenarioFetches(page) {
  const fetched = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (scenarioFile.test(path)) fetched.push(path);
  });
  return fetched;
}

/** Resolves once `condition()` holds (polled). */
async function until(condition, what) {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The app is interactive and its deferred module loaded: nothing else comes by itself. */
async function settled(page) {
  await page.getByTestId("scenario-list").waitFor();
  await page.waitForFunction(() => window.firedrill !== undefined);
  await page.waitForLoadState("networkidle");
}

test("the first load fetches no scenario file; playing a drill fetches its file once, relative to the page", async () => {
  // Served from a sub-path: /dist/ of the folder above dist/.
  const server = await serveStatic(resolve(distDir, ".."));
  const page = await openPage(session.browser);
  const fetched = watchScenarioFetches(page);
  try {
    await page.goto(`${server.url}dist/`);
    await settled(page);
    assert.deepEqual(fetched, [], "the first load fetches no scenario file");

    const scenario = scenarios.find((s) => s.task === "root_cause_analysis");
    await page.locator('[data-testid=task-tab][data-task="root_cause_analysis"]').click();
    await page.locator(`[data-testid=scenario-option][data-scenario="${scenario.id}"]`).click();
    assert.equal(await page.getByTestId("briefing-title").innerText(), scenario.title, "the briefing from the listing");
    await settled(page);
    assert.deepEqual(fetched, [], "choosing a drill fetches nothing");

    const [response] = await Promise.all([
      page.waitForResponse((r) => scenarioFile.test(new URL(r.url()).pathname)),
      page.getByTestId("start-drill").click(),
    ]);
    assert.match(await response.text(), new RegExp(`^id = "${scenario.id}"$`, "m"), "its own file");
    await page.getByTestId("action-submit").waitFor();
    assert.equal(fetched.length, 1, `one file: ${fetched}`);
    assert.ok(fetched[0].startsWith("/dist/scenarios/"), `relative to the page: ${fetched[0]}`);
    assert.match(new URL(response.url()).search, /^\?v=[0-9a-f]{16}$/, "the listed version in the query");
    assert.equal(await page.getByTestId("step-counter").innerText(), "0/15");
    await playAction(page, { action_type: "investigate", target: scenario.services[0] });

    // Played again, and after a reload that restores the episode: the
    // browser's cache may answer, but the app asks at most once per page.
    await page.getByTestId("start-drill").click();
    await page.getByTestId("step-counter").filter({ hasText: "0/15" }).waitFor();
    assert.equal(fetched.length, 1, "a second start fetches nothing");
    await playAction(page, { action_type: "investigate", target: scenario.services[0] });
    await page.reload();
    await page.getByTestId("step-counter").filter({ hasText: "1/15" }).waitFor();
    assert.equal(fetched.length, 2, "the reloaded page fetches the restored drill's file");
    assert.equal(fetched[1], fetched[0]);
    assert.deepEqual(page.problems, []);
  } finally {
    await page.close();
    await server.close();
  }
});

test("a drill whose file cannot be fetched says so with Retry, and Retry plays it once the file is back", async () => {
  const scenario = scenarios.find((s) => s.task === "severity_classification");
  const page = await openPage(session.browser, { serviceWorkers: "block" });
  const fetched = watchScenarioFetches(page);
  await page.route(scenarioFile, (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "not found" }));
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=3`);

  const error = page.getByTestId("drill-load-error");
  await error.waitFor();
  const text = await error.innerText();
  assert.match(text, new RegExp(`Drill ${scenario.handle} could not be loaded: the server answered 404`));
  for (const secret of [scenario.id, scenario.fault]) assert.ok(!text.includes(secret), `the error names ${secret}`);
  assert.equal(await page.getByTestId("action-submit").count(), 0, "no drill started");
  assert.equal(await page.getByTestId("briefing-title").innerText(), scenario.title, "its briefing stays");
  assert.equal(await page.getByTestId("drill-loading").count(), 0);
  await screenshot(page, "scenario-file-404");

  // Still down: Retry fails again, and says so.
  await page.getByTestId("drill-load-retry").click();
  await until(() => fetched.length === 2, "the second fetch");
  await page.waitForFunction(
    () => !document.querySelector("[data-testid=drill-loading]") && document.querySelector("[data-testid=drill-load-error]"),
  );

  await page.unroute(scenarioFile);
  await page.getByTestId("drill-load-retry").click();
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await page.getByTestId("drill-load-error").count(), 0, "the error is gone");
  assert.equal(await page.getByTestId("drill-handle").innerText(), scenario.handle);
  assert.equal(await page.getByTestId("step-counter").innerText(), "0/10");
  assert.equal(fetched.length, 3);
  const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "3", "--agent", "oracle", "--json"]);
  for (const action of run.actions) await playAction(page, action);
  assert.equal(await page.getByTestId("grade-score").innerText(), run.score.toFixed(4), "the same episode as natively");

  // The 404s were expected; nothing else went wrong.
  const unexpected = page.problems.filter(
    (p) => !(/^HTTP 404: .*\/scenarios\//.test(p) || /^console error: Failed to load resource: .* 404/.test(p)),
  );
  assert.deepEqual(unexpected, []);
});

test("a network failure while a drill loads is shown too, and choosing another drill forgets it", async () => {
  const [first, second] = scenarios.filter((s) => s.task === "severity_classification");
  const page = await openPage(session.browser, { serviceWorkers: "block" });
  await page.goto(session.url);
  await settled(page);
  await page.route(scenarioFile, (route) => route.abort("internetdisconnected"));
  await page.locator(`[data-testid=scenario-option][data-scenario="${first.id}"]`).click();
  await page.getByTestId("briefing-start").click();
  await page.getByTestId("drill-load-error").waitFor();
  assert.match(await page.getByTestId("drill-load-error").innerText(), /could not be loaded: the request failed/);

  await page.unroute(scenarioFile);
  await page.locator(`[data-testid=scenario-option][data-scenario="${second.id}"]`).click();
  assert.equal(await page.getByTestId("drill-load-error").count(), 0, "another drill chosen: the error goes");
  assert.equal(await page.getByTestId("briefing-title").innerText(), second.title);
  await page.getByTestId("briefing-start").click();
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await page.getByTestId("drill-handle").innerText(), second.handle);
  const unexpected = page.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p));
  assert.deepEqual(unexpected, []);
});

test("a slow file shows Loading drill… until the drill starts", async () => {
  const scenario = scenarios.find((s) => s.task === "full_incident_management");
  const page = await openPage(session.browser, { serviceWorkers: "block" });
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route(scenarioFile, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=2`);
  const loading = page.getByTestId("drill-loading");
  await loading.waitFor();
  assert.equal(await loading.innerText(), `Loading drill ${scenario.handle}…`);
  assert.equal(await loading.getAttribute("role"), "status");
  release();
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await loading.count(), 0);
  assert.deepEqual(page.problems, []);
});

test("a file that is not the version the app lists is refused, with Retry", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis");
  const page = await openPage(session.browser, { serviceWorkers: "block" });
  // A stale copy: the right file, a byte longer.
  await page.route(scenarioFile, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()) + "\n" });
  });
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=4`);
  await page.getByTestId("drill-load-error").waitFor();
  assert.match(
    await page.getByTestId("drill-load-error").innerText(),
    new RegExp(`Drill ${scenario.handle} could not be loaded: the file the server sent is not the one this version of Firedrill lists`),
  );
  assert.equal(await page.getByTestId("action-submit").count(), 0);
  await page.unroute(scenarioFile);
  await page.getByTestId("drill-load-retry").click();
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await page.getByTestId("drill-handle").innerText(), scenario.handle);
  assert.deepEqual(page.problems, []);
});
