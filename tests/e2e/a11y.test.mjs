// Accessibility: axe-core (WCAG 2.0/2.1 A and AA) over every view, in light
// and dark, wide and narrow; and a drill driven by the keyboard alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSession, openPage, screenshot, nativeCli, playAction, axeViolations } from "./harness.mjs";

const session = useSession();

const scenarios = nativeCli(["list", "--json"]);
const hard = scenarios.find((s) => s.task === "full_incident_management");

for (const [name, options] of [
  ["light 1280", { width: 1280, height: 800, colorScheme: "light" }],
  ["dark 768", { width: 768, height: 1000, colorScheme: "dark" }],
]) {
  test(`axe finds no WCAG A/AA violation in any view (${name})`, async () => {
    const page = await openPage(session.browser, options);
    await page.goto(session.url);
    await page.getByTestId("scenario-list").waitFor();
    assert.deepEqual(await axeViolations(page), [], "picker and briefing");

    const run = nativeCli(["run", "--scenario", hard.id, "--seed", "3", "--agent", "heuristic", "--json"]);
    await page.goto(`${session.url}?scenario=${hard.id}&seed=3`);
    await page.getByTestId("action-submit").waitFor();
    for (const action of run.actions.slice(0, 3)) await playAction(page, action);
    await page.getByTestId("promql-input").fill("topk(3, error_ratio)");
    await page.getByTestId("promql-run").click();
    await page.getByTestId("promql-result").waitFor();
    assert.deepEqual(await axeViolations(page), [], "episode in progress");

    for (const action of run.actions.slice(3)) await playAction(page, action);
    await page.getByTestId("grade-score").waitFor();
    assert.deepEqual(await axeViolations(page), [], "debrief");
    await screenshot(page, `a11y-debrief-${name.replace(" ", "-")}`);

    await page.evaluate(() => localStorage.setItem("firedrill.leaderboard", "{broken"));
    await page.goto(session.url);
    await page.getByTestId("storage-notice").waitFor();
    assert.deepEqual(await axeViolations(page), [], "storage notice");
  });
}

test("a drill can be started and played with the keyboard alone", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("scenario-list").waitFor();
  const focusOn = async (testid) => {
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate((id) => document.activeElement?.dataset?.testid === id, testid)) return;
    }
    assert.fail(`Tab never reached ${testid}`);
  };
  await focusOn("start-drill");
  await page.keyboard.press("Enter");
  await page.getByTestId("action-submit").waitFor();
  await focusOn("action-type");
  await page.keyboard.press("ArrowDown"); // investigate → classify
  await focusOn("action-param-severity");
  await page.keyboard.press("ArrowDown"); // P1 → P2
  await focusOn("action-submit");
  await page.keyboard.press("Enter");
  await page.getByTestId("grade-score").waitFor();
  assert.match(await page.locator("[data-testid=action-history]").innerText(), /classify · severity: P2/);
});
