// A whole episode of each task played through the action form of the
// release build: the app's grade equals the native core's for the same
// actions, and the debrief shows each dimension and the ideal path.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launchBrowser, openPage, screenshot, nativeCli, playAction } from "./harness.mjs";

let server;
let browser;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

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

    const page = await openPage(browser);
    await page.goto(`${server.url}?scenario=${scenario}&seed=${seed}`);
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
  const page = await openPage(browser);
  await page.goto(`${server.url}?scenario=${scenario}&seed=1`);
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
  const page = await openPage(browser);
  await page.goto(`${server.url}?scenario=no-such-thing&seed=abc`);
  await page.getByTestId("app-error").waitFor();
  const text = await page.getByTestId("app-error").innerText();
  assert.match(text, /unknown scenario "no-such-thing"/);
  assert.match(text, /seed "abc"/);
});

test("the degradation chart is drawn and redrawn every step", async () => {
  const scenario = scenarios.find((s) => s.task === "full_incident_management");
  const page = await openPage(browser);
  await page.goto(`${server.url}?scenario=${scenario.id}&seed=2`);
  const chart = page.getByTestId("degradation-chart");
  await chart.waitFor();
  const pixels = () =>
    chart.evaluate((canvas) => {
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return { painted, url: canvas.toDataURL() };
    });
  const first = await pixels();
  assert.ok(first.painted > 2000, `painted pixels: ${first.painted}`);
  await playAction(page, { action_type: "investigate", target: scenario.services[0] });
  await playAction(page, { action_type: "investigate", target: scenario.services[1] });
  const later = await pixels();
  assert.notEqual(later.url, first.url, "redrawn after steps");
  assert.match(await chart.getAttribute("aria-label"), /Most changed since the start: .+, now [\d.]+ ms p99/);
  await screenshot(page, "chart");
  assert.deepEqual(page.problems, []);
});

test("a replay link reproduces the episode and its score elsewhere", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis").id;
  const run = nativeCli(["run", "--scenario", scenario, "--seed", "11", "--agent", "heuristic", "--json"]);
  const page = await openPage(browser);
  await page.goto(`${server.url}?scenario=${scenario}&seed=11`);
  await page.getByTestId("action-submit").waitFor();
  for (const action of run.actions) await playAction(page, action);
  const href = await page.getByTestId("replay-link").getAttribute("href");
  assert.match(href, /\?scenario=.+&seed=11&replay=1\.[A-Za-z0-9_-]+$/);

  const elsewhere = await openPage(browser); // a fresh context: empty storage
  await elsewhere.goto(href);
  await elsewhere.getByTestId("grade-score").waitFor();
  assert.equal(await elsewhere.getByTestId("grade-score").innerText(), run.score.toFixed(4));
  assert.equal(await elsewhere.getByTestId("leaderboard-row").count(), 0, "a replay is not recorded");

  const broken = await openPage(browser);
  await broken.goto(`${server.url}?scenario=${scenario}&seed=11&replay=1.@@`);
  await broken.getByTestId("app-error").waitFor();
  assert.match(await broken.getByTestId("app-error").innerText(), /replay link: .*position 2/);
});
