// A whole episode of each task played through the action form of the
// release build: the app's grade equals the native core's for the same
// actions, and the debrief shows each dimension and the ideal path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSession, openPage, screenshot, nativeCli, nativeBinary, playAction } from "./harness.mjs";

const session = useSession();

const scenarios = nativeCli(["list", "--json"]);
const cases = [
  ["severity_classification", "heuristic", 3],
  ["root_cause_analysis", "heuristic", 5],
  ["full_incident_management", "oracle", 7],
];

for (const [task, agent, seed] of cases) {
  test(`${task}: an episode played through the form grades as the core does`, async () => {
    const scenario = scenarios.find((s) => s.task === task).id;
    const expected = nativeCli(["run", "--scenario", scenario, "--seed", String(seed), "--agent", agent, "--json"]);
    assert.ok(expected.actions.length > 0);

    const page = await openPage(session.browser);
    await page.goto(`${session.url}?scenario=${scenario}&seed=${seed}`);
    await page.getByTestId("action-submit").waitFor();
    assert.match(await page.getByTestId("step-counter").innerText(), /^0\/\d+$/);

    for (const action of expected.actions) await playAction(page, action);

    await page.getByTestId("grade-score").waitFor();
    assert.equal(await page.getByTestId("grade-score").innerText(), expected.score.toFixed(4));
    assert.equal(await page.getByTestId("grade-dimension").count(), expected.dimensions.length);
    assert.equal(
      await page.getByTestId("step-counter").innerText(),
      `${expected.steps}/${(await page.getByTestId("step-counter").innerText()).split("/")[1]}`,
    );
    assert.ok((await page.locator("[data-testid=ideal-path] li").count()) > 0, "ideal path shown");
    assert.equal(await page.getByTestId("action-submit").isDisabled(), true, "no action after the end");
    await screenshot(page, `play-${task}`);
    assert.deepEqual(page.problems, []);
  });
}

test("a refused action shows why and the episode goes on", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis").id;
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario}&seed=1`);
  await page.getByTestId("action-submit").waitFor();
  await page.getByTestId("action-type").selectOption("diagnose");
  await page.getByTestId("action-submit").click(); // empty root cause
  await page.getByTestId("app-error").waitFor();
  assert.match(await page.getByTestId("app-error").innerText(), /root_cause/);
  assert.equal(await page.getByTestId("step-counter").innerText(), "0/15");
  await playAction(page, { action_type: "investigate", target: scenarios.find((s) => s.id === scenario).services[0] });
  assert.equal(await page.getByTestId("step-counter").innerText(), "1/15");
  assert.equal(await page.getByTestId("app-error").count(), 0, "the error clears");
});

test("bad URL parameters are reported", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=no-such-thing&seed=abc`);
  await page.getByTestId("app-error").waitFor();
  const text = await page.getByTestId("app-error").innerText();
  assert.match(text, /unknown scenario "no-such-thing"/);
  assert.match(text, /seed "abc" in the URL is not an integer from 0 to 9007199254740991; seed 1 is played/);
  // A bad seed plays seed 1, as in embed mode.
  const scenario = scenarios.find((s) => s.task === "severity_classification").id;
  await page.goto(`${session.url}?scenario=${scenario}&seed=9007199254740992`);
  await page.getByTestId("step-counter").waitFor();
  assert.match(await page.getByTestId("app-error").innerText(), /seed "9007199254740992" in the URL .*; seed 1 is played/);
  assert.equal(await page.getByTestId("seed-input").inputValue(), "1");
});

test("the service map and the degradation chart are drawn and redrawn every step", async () => {
  // A hard drill with a critical service from the first step.
  const scenario = scenarios.find((s) => s.id === "bad-deploy-v3");
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario.id}&seed=2`);
  const chart = page.getByTestId("degradation-chart");
  await chart.waitFor();
  const pixels = () =>
    chart.evaluate((canvas) => {
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return { painted, url: canvas.toDataURL() };
    });
  // The service map: one node per service, coloured by health.
  const map = page.getByTestId("service-map");
  assert.equal(await map.locator("g.map-node").count(), scenario.services.length);
  assert.ok((await map.locator("g.map-node.health-critical").count()) > 0, "a critical service on the map");
  assert.ok((await map.locator("path.map-edge").count()) > 0, "dependencies drawn");
  const first = await pixels();
  assert.ok(first.painted > 2000, `painted pixels: ${first.painted}`);
  await playAction(page, { action_type: "investigate", target: scenario.services[0] });
  await playAction(page, { action_type: "investigate", target: scenario.services[1] });
  const later = await pixels();
  assert.notEqual(later.url, first.url, "redrawn after steps");
  assert.match(
    await chart.getAttribute("aria-label"),
    /Most changed from its healthy baseline: .+: (error ratio|p99 latency) .+ → .+|has moved far from its healthy baseline/,
  );
  await screenshot(page, "chart");
  assert.deepEqual(page.problems, []);
});

test("a replay link reproduces the episode and its score elsewhere", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis").id;
  const run = nativeCli(["run", "--scenario", scenario, "--seed", "11", "--agent", "heuristic", "--json"]);
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario}&seed=11`);
  await page.getByTestId("action-submit").waitFor();
  for (const action of run.actions) await playAction(page, action);
  const href = await page.getByTestId("replay-link").getAttribute("href");
  assert.match(href, /\?drill=[0-9A-Z]{6}&seed=11&replay=2\.[A-Za-z0-9_-]+$/);

  const elsewhere = await openPage(session.browser); // a fresh context: empty storage
  await elsewhere.goto(href);
  await elsewhere.getByTestId("grade-score").waitFor();
  assert.equal(await elsewhere.getByTestId("grade-score").innerText(), run.score.toFixed(4));
  assert.equal(await elsewhere.getByTestId("leaderboard-row").count(), 0, "a replay is not recorded");

  const broken = await openPage(session.browser);
  await broken.goto(`${session.url}?scenario=${scenario}&seed=11&replay=1.@@`);
  await broken.getByTestId("app-error").waitFor();
  assert.match(await broken.getByTestId("app-error").innerText(), /replay link: .*position 2/);
});

test("the PromQL console answers instant and range queries and points at errors", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis");
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario.id}&seed=4`);
  await page.getByTestId("promql-input").waitFor();
  await playAction(page, { action_type: "investigate", target: scenario.services[0] });

  // The same query through the native CLI over the same episode.
  const query = "sort_desc(error_ratio)";
  const native = nativeCli([
    "query", "--scenario", scenario.id, "--seed", "4",
    "--actions", await actionsFile([{ action_type: "investigate", target: scenario.services[0] }]),
    "--", query,
  ]);
  await page.getByTestId("promql-input").fill(query);
  await page.getByTestId("promql-run").click();
  const result = page.getByTestId("promql-result");
  await result.waitFor();
  assert.equal(await result.getAttribute("data-result-type"), "vector");
  const rows = await result.locator("tbody tr").allInnerTexts();
  assert.equal(rows.length, native.data.result.length);
  const exact = await result.locator("tbody td.promql-value").evaluateAll((cells) =>
    cells.map((cell) => cell.getAttribute("data-value")),
  );
  native.data.result.forEach((sample, i) => {
    assert.ok(rows[i].includes(`service="${sample.metric.service}"`), rows[i]);
    assert.equal(exact[i], sample.value[1], `${rows[i]} vs ${sample.value[1]}`);
  });

  await page.getByTestId("promql-range").check();
  await page.getByTestId("promql-input").fill('rate(http_requests_total{code="500"}[5m])');
  await page.getByTestId("promql-run").click();
  await page.locator("[data-testid=promql-result][data-result-type=matrix] canvas").waitFor();

  await page.getByTestId("promql-input").fill("sum(rate(http_requests_total[5m])");
  await page.getByTestId("promql-run").click();
  const error = page.getByTestId("promql-error");
  await error.waitFor();
  assert.match(await error.innerText(), /1:4: parse error: unclosed left parenthesis/);
  assert.match(await error.locator("pre").innerText(), /\n {3}\^$/);
  await screenshot(page, "promql");
  assert.deepEqual(page.problems, []);
});

async function actionsFile(actions) {
  const { writeFile, mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "firedrill-"));
  const file = join(dir, "actions.json");
  await writeFile(file, JSON.stringify(actions));
  return file;
}

test("the debrief's downloads equal the CLI's exports of the same episode", async () => {
  const scenario = scenarios.find((s) => s.task === "full_incident_management").id;
  const run = nativeCli(["run", "--scenario", scenario, "--seed", "6", "--agent", "heuristic", "--json"]);
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario}&seed=6`);
  await page.getByTestId("action-submit").waitFor();
  for (const action of run.actions) await playAction(page, action);
  await page.getByTestId("grade-score").waitFor();
  const actions = await actionsFile(run.actions);
  const { readFile } = await import("node:fs/promises");
  const { execFileSync } = await import("node:child_process");
  // The telemetry counts what this page's environment did (not what the
  // CLI's did): it is offered too, but not the CLI's bytes.
  {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("export-telemetry").click(),
    ]);
    assert.equal(download.suggestedFilename(), `${scenario}-6.telemetry.prom`);
    const text = await readFile(await download.path(), "utf8");
    assert.match(text, /^# HELP firedrill_episodes_started_total /);
    assert.match(text, /\nfiredrill_steps_total [1-9]/);
  }
  for (const kind of ["openmetrics", "exposition", "rules", "grafana", "csv", "otlp-logs", "grafana-slo", "grafana-service", "otlp-traces"]) {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId(`export-${kind}`).click(),
    ]);
    assert.ok(download.suggestedFilename().startsWith(`${scenario}-6.`), download.suggestedFilename());
    const text = await readFile(await download.path(), "utf8");
    const expected = execFileSync(
      nativeBinary(),
      ["export", kind, "--scenario", scenario, "--seed", "6", "--actions", actions],
      { encoding: "utf8", maxBuffer: 64 << 20 },
    );
    assert.equal(text, expected, kind);
  }
});

test("autoplay: the oracle plays the episode by itself and scores as natively", async () => {
  const scenario = scenarios.find((s) => s.task === "full_incident_management").id;
  const expected = nativeCli(["run", "--scenario", scenario, "--seed", "8", "--agent", "oracle", "--json"]);
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario}&seed=8`);
  await page.getByTestId("autoplay-agent").selectOption("oracle");
  await page.getByTestId("autoplay-speed").selectOption({ label: "fast" });
  await page.getByTestId("autoplay-toggle").click();
  await page.getByTestId("grade-score").waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId("grade-score").innerText(), expected.score.toFixed(4));
  assert.equal(await page.locator("[data-testid=action-history] li").count(), expected.steps);
  assert.deepEqual(page.problems, []);
});
