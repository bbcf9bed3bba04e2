// The SLO panel: a row per service, each SLO's budget left, its burn over
// five minutes and an hour and its status in words; the budget falls and
// the status turns while the incident burns it, and the rows agree with
// the SLO series the PromQL console reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSession, openPage, screenshot, screenshotOf, playAction, axeViolations, nativeCli } from "./harness.mjs";

const session = useSession();
const scenarios = nativeCli(["list", "--json"]);

test("the SLO panel shows every service's budget, burn and status as the incident burns it", async () => {
  const scenario = scenarios.find((s) => s.id === "connection-pool-exhaustion-v1");
  const page = await openPage(session.browser, { width: 1280, height: 1000 });
  await page.goto(`${session.url}?drill=${scenario.handle}&seed=1`);
  await page.getByTestId("action-submit").waitFor();
  const panel = page.getByTestId("slo-panel");
  const rows = panel.getByTestId("slo-row");
  assert.equal(await rows.count(), scenario.services.length);
  assert.deepEqual(
    (await rows.evaluateAll((r) => r.map((e) => e.dataset.service))).sort(),
    [...scenario.services].sort(),
  );
  const cell = (service, slo) =>
    panel.locator(`[data-testid=slo-row][data-service="${service}"] td[data-slo=${slo}]`);
  const budget = async (service, slo) =>
    Number((await cell(service, slo).locator(".slo-budget .num").innerText()).match(/(-?[\d.]+)% left/)[1]);
  const before = await budget("checkout", "availability");
  assert.match(await cell("checkout", "availability").innerText(), /burn 5m [\d.]+× · 1h [\d.]+×/);
  // Investigating burns time: checkout, which fails the users, burns its
  // budget; a ticket's burn rate (yellow) comes first, then a page's (red),
  // once the long windows confirm it.
  const statuses = () => panel.locator("td[data-status]").evaluateAll((cells) => cells.map((c) => c.dataset.status));
  let steps = 0;
  let firstYellow = null;
  while (!(await statuses()).includes("red") && steps < 24) {
    await playAction(page, { action_type: "investigate", target: "orders-db" });
    steps += 1;
    if (firstYellow === null && (await statuses()).includes("yellow")) firstYellow = steps;
  }
  const now = await statuses();
  assert.ok(now.includes("red"), `no red after ${steps} steps: ${now}`);
  assert.ok(firstYellow !== null && firstYellow < steps, `yellow at ${firstYellow}, red at ${steps}`);
  assert.ok(now.includes("green"), now.join(","));
  const after = await budget("checkout", "availability");
  assert.ok(after < before, `budget ${before}% → ${after}%`);
  // Colour is never the only cue: the status is written.
  const red = panel.locator('td[data-status="red"]').first();
  assert.match(await red.locator(".pill").innerText(), /burning/);
  // A page's burn rate fires the SLO's FastBurn alert too.
  assert.match(await page.getByTestId("alert-list").innerText(), /AvailabilityFastBurn/);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, "slo-panel");
  await screenshotOf(panel, "slo-panel-detail");
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.problems, []);
});
