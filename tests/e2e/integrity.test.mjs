// A drill whose score can only be earned by good triage: nothing on the
// page names the cause before the debrief, the exam hides rewards and
// right-or-wrong feedback and autoplay, and an autoplayed episode is the
// agent's, never the player's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSession, openPage, screenshot, nativeCli, playAction } from "./harness.mjs";

const session = useSession();
const scenarios = nativeCli(["list", "--json"]);
const causes = nativeCli(["causes", "--json"]);

/** The page's text, without the cause list of the diagnosis form (it lists every category alike). */
async function visibleText(page) {
  return page.evaluate(() => {
    const copy = document.body.cloneNode(true);
    copy.querySelectorAll("select, script, style").forEach((element) => element.remove());
    document.body.appendChild(copy);
    copy.style.position = "absolute";
    const text = copy.innerText;
    copy.remove();
    return text;
  });
}

/** What would give the answer away for a scenario. */
function answers(scenario) {
  const cause = causes.find((c) => c.id === scenario.fault);
  return [scenario.fault, scenario.fault.replaceAll("_", " "), cause?.name, scenario.debrief_title, scenario.id]
    .filter(Boolean)
    .map((text) => text.toLowerCase());
}

function assertBlind(text, scenario, where) {
  const lower = text.toLowerCase();
  for (const answer of answers(scenario)) {
    assert.ok(!lower.includes(answer), `${where}: the page names ${JSON.stringify(answer)} before the debrief`);
  }
}

test("before the debrief, nothing on the page names the cause; a drill link opens it by handle", async () => {
  const scenario = scenarios.find((s) => s.id === "connection-pool-exhaustion-v1");
  const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "3", "--agent", "heuristic", "--json"]);
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?task=${scenario.task}`);
  await page.getByTestId("scenario-list").waitFor();
  await page.locator(`[data-testid=scenario-option][data-scenario="${scenario.id}"]`).click();
  assertBlind(await visibleText(page), scenario, "picker and briefing");
  await screenshot(page, "integrity-picker-blind");

  await page.goto(`${session.url}?drill=${scenario.handle.toLowerCase()}&seed=3`);
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await page.getByTestId("drill-handle").innerText(), scenario.handle);
  assert.equal(await page.title(), "Firedrill — incident-response drills");
  for (const action of run.actions.slice(0, -1)) {
    await playAction(page, action);
    assertBlind(await visibleText(page), scenario, `after ${action.action_type}`);
  }
  await playAction(page, run.actions.at(-1));
  const cause = page.getByTestId("debrief-cause");
  await cause.waitFor();
  const revealed = await cause.innerText();
  assert.ok(revealed.includes(scenario.debrief_title), revealed);
  assert.ok(revealed.includes(scenario.fault), revealed);
  const link = await page.getByTestId("replay-link").getAttribute("href");
  assert.match(link, new RegExp(`\\?drill=${scenario.handle}&seed=3&replay=`));
  assert.ok(!link.includes(scenario.id), link);
  assert.deepEqual(page.problems, []);
});

test("the instructor's switch shows the answers in the picker, and is remembered", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis");
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?task=root_cause_analysis`);
  await page.getByTestId("scenario-list").waitFor();
  assert.equal(await page.getByTestId("scenario-answer").count(), 0);
  await page.getByTestId("show-answers").check();
  const answer = page.locator(`[data-scenario="${scenario.id}"] [data-testid=scenario-answer]`);
  assert.match(await answer.innerText(), new RegExp(scenario.id));
  assert.ok((await answer.innerText()).includes(scenario.debrief_title));
  await screenshot(page, "integrity-show-answers");
  await page.reload();
  await page.getByTestId("scenario-list").waitFor();
  assert.equal(await page.getByTestId("show-answers").isChecked(), true);
  assert.ok((await page.getByTestId("scenario-answer").count()) > 0);
  assert.deepEqual(page.problems, []);
});

test("in exam mode no reward or right/wrong feedback is on the page until the debrief, which records the mode", async () => {
  const scenario = scenarios.find((s) => s.id === "memory-leak-v1");
  const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "2", "--agent", "oracle", "--json"]);
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=2&mode=exam`);
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await page.getByTestId("mode-select").inputValue(), "exam");
  assert.equal(await page.getByTestId("mode-select").isDisabled(), true, "no switching mid-episode");
  await page.getByTestId("autoplay-off").waitFor();
  assert.equal(await page.getByTestId("autoplay-toggle").count(), 0);
  // A wrong fix first, then the ideal path.
  const wrong = { action_type: "remediate", target: scenario.services[0], parameters: { kind: "flush_cache" } };
  for (const action of [wrong, ...run.actions.slice(0, -1)]) {
    await playAction(page, action);
    assert.equal(await page.getByTestId("cumulative-reward").count(), 0);
    assert.equal(await page.locator("[data-testid=action-history] .reward").count(), 0);
    const text = await visibleText(page);
    assert.doesNotMatch(text, /[+-]0\.\d{3}\b/, "no reward figure");
    assert.doesNotMatch(text, /did not help|got worse|start to recover|mitigated|which is right/i);
    assertBlind(text, scenario, `exam, after ${action.action_type}`);
  }
  await screenshot(page, "integrity-exam-running");
  await playAction(page, run.actions.at(-1));
  await page.getByTestId("debrief-cause").waitFor();
  const row = page.locator("[data-testid=leaderboard-row][data-mode=exam]");
  await row.waitFor();
  assert.match(await row.innerText(), /exam/);
  assert.ok((await row.innerText()).includes(scenario.handle), "the board shows the handle");
  await page.getByTestId("leaderboard-exams-only").check();
  assert.equal(await page.locator("[data-testid=leaderboard-row][data-mode=practice]").count(), 0);
  await screenshot(page, "integrity-exam-debrief");
  assert.deepEqual(page.problems, []);
});

test("an autoplayed episode is recorded under the agent's name, never the player's", async () => {
  const scenario = scenarios.find((s) => s.task === "severity_classification");
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=4&mode=practice`);
  await page.getByTestId("player-name").fill("ana");
  await page.getByTestId("player-name").press("Enter");
  await page.getByTestId("player-name").blur();
  await page.getByTestId("autoplay-agent").selectOption("oracle");
  await page.getByTestId("autoplay-speed").selectOption({ label: "fast" });
  await page.getByTestId("autoplay-toggle").click();
  await page.getByTestId("debrief").waitFor();
  const rows = page.getByTestId("leaderboard-row");
  await rows.first().waitFor();
  const texts = await rows.allInnerTexts();
  assert.ok(texts.every((t) => !t.includes("ana")), `the player is not credited: ${texts}`);
  const agentRow = page.locator("[data-testid=leaderboard-row][data-agent=oracle]");
  assert.equal(await agentRow.count(), 1);
  assert.match(await agentRow.innerText(), /oracle[\s\S]*autoplay/);
  assert.deepEqual(page.problems, []);
});

test("the JS API lists the cause taxonomy, and an embedded drill opens by handle", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.waitForFunction(() => window.firedrill && typeof window.firedrill.causes === "function");
  assert.deepEqual(await page.evaluate(() => window.firedrill.causes()), causes);
  const listed = await page.evaluate(() => window.firedrill.scenarios());
  assert.deepEqual(listed.map((s) => s.handle), scenarios.map((s) => s.handle));

  const scenario = scenarios.find((s) => s.task === "full_incident_management");
  await page.goto(`${session.url}index.html?embed=1&drill=${scenario.handle}&seed=2`);
  await page.getByTestId("step-counter").waitFor();
  assert.equal(await page.getByTestId("drill-handle").innerText(), scenario.handle);
  assertBlind(await visibleText(page), scenario, "embedded drill");
  await page.waitForFunction(() => window.firedrill);
  assert.deepEqual(page.problems, []);
});
