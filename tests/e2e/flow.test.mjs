// A drill a newcomer can play without a guide: the result of each step
// where the person acted, an explicit end, guidance that gives nothing
// away, a debrief that says one thing, and replay links easy to share.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useSession, openPage, screenshot, nativeCli, playAction } from "./harness.mjs";

const session = useSession();
const scenarios = nativeCli(["list", "--json"]);

/** Whether the element of `testId` lies inside the viewport (once the page has scrolled it there). */
async function inViewport(page, testId) {
  try {
    await page.waitForFunction(
      (id) => {
        const element = document.querySelector(`[data-testid=${id}]`);
        const box = element?.getBoundingClientRect();
        return box && box.top >= -1 && box.bottom <= window.innerHeight + 1 && box.height > 0;
      },
      testId,
      { timeout: 2000 },
    );
    return true;
  } catch {
    const box = await page.getByTestId(testId).evaluate((e) => JSON.stringify(e.getBoundingClientRect()));
    console.log(`${testId} out of view: ${box}, viewport height ${await page.evaluate(() => window.innerHeight)}`);
    return false;
  }
}

test("at 1280×900 each step's result is in view, the debrief takes focus, and the hard drill ends only when resolved", async () => {
  const scenario = scenarios.find((s) => s.id === "connection-pool-exhaustion-v1");
  const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "2", "--agent", "oracle", "--json"]);
  assert.equal(run.actions.at(-1).action_type, "resolve", "the oracle closes the incident");
  const page = await openPage(session.browser, { width: 1280, height: 900 });
  await page.goto(`${session.url}?task=full_incident_management`);
  await page.locator(`[data-testid=scenario-option][data-scenario="${scenario.id}"]`).click();
  assert.ok(await inViewport(page, "briefing-start"), "a start button is in view");
  await page.getByTestId("briefing-start").click();
  await page.getByTestId("action-submit").waitFor();

  const checklist = page.getByTestId("task-checklist");
  assert.equal(await checklist.locator("li").count(), 7);
  assert.equal(await checklist.locator("li[data-done=true]").count(), 0);
  await page.getByTestId("action-type").selectOption("classify");
  await page.getByTestId("severity-rubric").waitFor();
  assert.match(await page.getByTestId("severity-rubric").innerText(), /P1[\s\S]*P4/);

  for (const action of run.actions.slice(0, -1)) {
    await playAction(page, action);
    assert.ok(await inViewport(page, "step-feedback"), `feedback in view after ${action.action_type}`);
    if (action.action_type === "investigate") {
      assert.ok(await inViewport(page, "step-logs"), "the revealed logs are in view");
    }
    assert.equal(await page.getByTestId("debrief").count(), 0, `not over after ${action.action_type}`);
  }
  assert.equal(await checklist.locator("li[data-done=true]").count(), 6, "everything but the end");
  await screenshot(page, "flow-before-resolve");
  await playAction(page, run.actions.at(-1));
  await page.getByTestId("debrief").waitFor();
  await page.waitForFunction(() => document.activeElement?.id === "debrief-heading");
  assert.ok(await inViewport(page, "debrief-verdict"), "the verdict is in view");
  assert.match(await page.getByTestId("debrief-verdict").innerText(), /^Passed: 1\.00, the pass mark is 0\.60\.$/);
  assert.equal(await page.getByTestId("grade-score").innerText(), run.score.toFixed(4));
  assert.match(await page.getByTestId("episode-over").innerText(), /over/);
  await screenshot(page, "flow-debrief");
  assert.deepEqual(page.problems, []);
});

test("a poor result says not yet, and a severity drill shows no time to resolve", async () => {
  const scenario = scenarios.find((s) => s.task === "severity_classification");
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=1`);
  await page.getByTestId("action-submit").waitFor();
  await playAction(page, { action_type: "investigate", target: scenario.services.at(-1) });
  await playAction(page, { action_type: "investigate", target: scenario.services.at(-1) });
  await playAction(page, { action_type: "classify", parameters: { severity: "P4" } });
  await page.getByTestId("debrief").waitFor();
  const verdict = await page.getByTestId("debrief-verdict").innerText();
  assert.match(verdict, /^Not yet: 0\.\d\d; a pass needs 0\.75\.$/);
  assert.equal(await page.getByTestId("debrief-mttr").count(), 0);
  assert.doesNotMatch(await page.getByTestId("debrief").innerText(), /\b1 steps\b/);
  assert.deepEqual(page.problems, []);
});

test("switching drills in the middle of one asks first", async () => {
  const [first, second] = scenarios.filter((s) => s.task === "root_cause_analysis");
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?drill=${first.handle}&seed=3`);
  await page.getByTestId("action-submit").waitFor();
  await playAction(page, { action_type: "investigate", target: first.services[0] });
  await page.locator(`[data-testid=scenario-option][data-scenario="${second.id}"]`).click();
  await page.getByTestId("switch-confirm").waitFor();
  await screenshot(page, "flow-switch-confirm");
  await page.getByTestId("switch-confirm-no").click();
  assert.equal(await page.getByTestId("switch-confirm").count(), 0);
  assert.equal(await page.getByTestId("step-counter").innerText(), "1/15", "the drill goes on");
  await page.locator(`[data-testid=scenario-option][data-scenario="${second.id}"]`).click();
  await page.getByTestId("switch-confirm-yes").click();
  await page.getByTestId("briefing-title").waitFor();
  assert.equal(await page.getByTestId("briefing-title").innerText(), second.title);
  assert.deepEqual(page.problems, []);
});

test("a replay link copies with a confirmation, and opens with a banner", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis");
  const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "5", "--agent", "heuristic", "--json"]);
  const page = await openPage(session.browser);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(session.url).origin });
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=5`);
  await page.getByTestId("action-submit").waitFor();
  for (const action of run.actions) await playAction(page, action);
  const href = await page.getByTestId("replay-link").getAttribute("href");
  await page.getByTestId("replay-copy").click();
  await page.locator("[data-testid=replay-copied]", { hasText: "Copied." }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), href);

  const elsewhere = await openPage(session.browser);
  await elsewhere.goto(href);
  await elsewhere.getByTestId("replay-banner").waitFor();
  const banner = await elsewhere.getByTestId("replay-banner").innerText();
  assert.match(banner, new RegExp(`replay of drill ${scenario.handle}, seed 5`, "i"));
  assert.match(banner, /not saved/);
  assert.equal(await elsewhere.getByTestId("grade-score").innerText(), run.score.toFixed(4));
  await screenshot(elsewhere, "flow-replay-banner");
  assert.deepEqual(page.problems, []);
  assert.deepEqual(elsewhere.problems, []);
});

test("a replay of a custom scenario this browser lacks asks for its file, then plays", async () => {
  const text = (await readFile(new URL("../../scenarios/disk-full-v1.toml", import.meta.url), "utf8"))
    .replace('id = "disk-full-v1"', 'id = "my-disk-drill"');
  const dir = await mkdtemp(join(tmpdir(), "firedrill-"));
  const file = join(dir, "my-disk-drill.toml");
  await writeFile(file, text);
  const run = nativeCli(["run", "--scenarios", file, "--scenario", "my-disk-drill", "--seed", "4", "--agent", "oracle", "--json"]);
  const { handle } = nativeCli(["list", "--json", "--scenarios", file]).find((s) => s.id === "my-disk-drill");
  // The replay code of the oracle's actions, as the app writes it.
  const json = JSON.stringify(run.actions);
  const code = "2." + Buffer.from(json, "utf8").toString("base64url");

  const page = await openPage(session.browser);
  await page.goto(`${session.url}?drill=${handle}&seed=4&replay=${code}`);
  await page.getByTestId("replay-banner").waitFor();
  assert.match(await page.getByTestId("replay-banner").innerText(), /custom scenario file/);
  assert.equal(await page.getByTestId("app-error").count(), 0, "no bare 'unknown scenario'");
  await page.getByTestId("custom-scenario-file").setInputFiles(file);
  await page.getByTestId("grade-score").waitFor();
  assert.equal(await page.getByTestId("grade-score").innerText(), run.score.toFixed(4));
  assert.match(await page.getByTestId("replay-banner").innerText(), /replay of drill/i);
  assert.deepEqual(page.problems, []);
});

test("a replay link from before the resolve action still ends its hard episode", async () => {
  const scenario = scenarios.find((s) => s.task === "full_incident_management");
  const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "6", "--agent", "oracle", "--json"]);
  const before = run.actions.filter((a) => a.action_type !== "resolve");
  const code = "1." + Buffer.from(JSON.stringify(before), "utf8").toString("base64url");
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario.id}&seed=6&replay=${code}`);
  await page.getByTestId("grade-score").waitFor();
  const history = await page.getByTestId("action-history").innerText();
  assert.match(history, /resolve[\s\S]*Closed when the replay's last action was played/);
  assert.equal(await page.getByTestId("app-error").count(), 0);
  assert.deepEqual(page.problems, []);
});
