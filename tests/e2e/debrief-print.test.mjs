// The debrief worth keeping, and the comfort around it: the debrief prints
// alone on one A4 and one Letter page; "Download debrief" saves a Markdown
// postmortem draft with the timeline (the same text `firedrill export
// postmortem` prints); the picker shows how each stage is graded, from the
// curriculum; keyboard shortcuts choose actions and their help overlay (?)
// passes axe, light and dark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useSession, openPage, screenshot, playAction, axeViolations, nativeCli, nativeBinary } from "./harness.mjs";

const session = useSession();
const scenarios = nativeCli(["list", "--json"]);
const SCENARIO = "cache-stampede-v2";
const SEED = 404;

/** Plays the oracle's episode of SCENARIO in the page, to its debrief. */
async function playToDebrief(page) {
  const scenario = scenarios.find((s) => s.id === SCENARIO);
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=${SEED}`);
  await page.getByTestId("action-submit").waitFor();
  const oracle = nativeCli(["run", "--scenario", SCENARIO, "--seed", String(SEED), "--agent", "oracle", "--json"]);
  for (const action of oracle.actions) await playAction(page, action);
  await page.getByTestId("debrief").waitFor();
  return oracle;
}

/** The pages of a PDF. */
function pageCount(pdf) {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
}

test("the debrief prints on one page and downloads as a Markdown postmortem with the timeline", async () => {
  const page = await openPage(session.browser, { width: 1440, height: 900 });
  const oracle = await playToDebrief(page);
  for (const format of ["A4", "Letter"]) {
    const pdf = await page.pdf({ format, printBackground: false });
    assert.equal(pageCount(pdf), 1, `the debrief prints on one ${format} page`);
  }
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.getByTestId("debrief").isVisible(), true);
  assert.equal(await page.getByTestId("incident-area").isVisible(), false, "only the debrief prints");
  assert.equal(await page.getByTestId("debrief-download").isVisible(), false, "no buttons on paper");
  await screenshot(page, "debrief-print");
  await page.emulateMedia({ media: "screen" });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("debrief-download").click()]);
  assert.equal(download.suggestedFilename(), `${SCENARIO}-${SEED}.postmortem.md`);
  const markdown = await readFile(await download.path(), "utf8");
  assert.match(markdown, /^# Postmortem: /);
  assert.match(markdown, /\n## Timeline\n\n\| time \| what happened \|/);
  assert.match(markdown, /\| \d\d:\d\d \| The response starts: the incident is declared \|/);
  const responderRows = markdown.split("\n").filter((l) => /^\| \d\d:\d\d \| Responder: /.test(l));
  assert.equal(responderRows.length, oracle.actions.length, "a timeline row per action");
  for (const heading of ["Impact", "Root cause", "Contributing factors", "Action items"]) {
    assert.match(markdown, new RegExp(`\\n## ${heading}\\n`), heading);
  }
  // The same draft the CLI exports for the same episode.
  const actions = join(tmpdir(), `firedrill-postmortem-${process.pid}.json`);
  await writeFile(actions, JSON.stringify(oracle.actions));
  const cli = execFileSync(nativeBinary(), ["export", "postmortem", "--scenario", SCENARIO, "--seed", String(SEED), "--actions", actions], { encoding: "utf8" });
  assert.equal(markdown, cli);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("the picker shows how each stage is graded, as the curriculum says", async () => {
  const curriculum = nativeCli(["curriculum", "--json"]);
  const page = await openPage(session.browser, { width: 1440, height: 900 });
  await page.goto(session.url);
  for (const stage of curriculum) {
    await page.locator(`[data-testid=task-tab][data-task=${stage.task}]`).click();
    const facts = page.getByTestId("stage-facts");
    await facts.locator("summary").click();
    const summary = await facts.locator("summary").innerText();
    assert.match(summary, new RegExp(`${stage.difficulty} · ${stage.step_budget} steps · −${stage.time_penalty_per_step} reward per step`, "i"));
    const weights = await facts.getByTestId("stage-weight").evaluateAll((items) =>
      items.map((i) => [i.dataset.dimension, i.querySelector(".weight-value").textContent]),
    );
    assert.deepEqual(weights, stage.dimensions.map((d) => [d.name, `${Math.round(d.weight * 100)}%`]));
    await facts.locator("summary").click();
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("keyboard shortcuts choose actions and the help overlay lists them, light and dark", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const page = await openPage(session.browser, { width: 1440, height: 900, colorScheme });
    const scenario = scenarios.find((s) => s.id === SCENARIO);
    await page.goto(`${session.url}?drill=${scenario.handle}&seed=${SEED}`);
    await page.getByTestId("action-submit").waitFor();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("c");
    assert.equal(await page.getByTestId("action-type").inputValue(), "classify");
    await page.getByTestId("action-param-severity").waitFor();
    // Typing in a field is never a shortcut.
    await page.getByTestId("promql-input").focus();
    await page.keyboard.type("up");
    assert.equal(await page.getByTestId("action-type").inputValue(), "classify");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("u");
    assert.equal(await page.getByTestId("action-type").inputValue(), "communicate");
    await page.keyboard.press("Escape");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "promql-input");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("?");
    const overlay = page.getByTestId("help-overlay");
    await overlay.waitFor();
    assert.match(await overlay.innerText(), /Investigate/);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "help-close");
    assert.deepEqual(await axeViolations(page), [], `axe, ${colorScheme}`);
    await screenshot(page, `help-overlay-${colorScheme}`);
    await page.keyboard.press("Escape");
    await overlay.waitFor({ state: "detached" });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});
