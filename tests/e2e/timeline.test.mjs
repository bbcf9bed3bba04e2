// What responders look at first, in the app: the change timeline (Recent
// changes, and markers on the degradation chart), an investigated
// service's pods, and a service whose data went missing. Played on the
// capabilities drill of the native tests, loaded as a custom scenario.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { useSession, openPage, screenshot, playAction, axeViolations } from "./harness.mjs";

const session = useSession();
const here = dirname(fileURLToPath(import.meta.url));
const drill = await readFile(resolve(here, "../fixtures/capabilities-drill.toml"), "utf8");

async function start(page) {
  await page.goto(session.url);
  await page.getByTestId("custom-scenario-file").setInputFiles({
    name: "capabilities-drill.toml",
    mimeType: "text/plain",
    buffer: Buffer.from(drill),
  });
  await page.locator('[data-testid=scenario-option][data-scenario="capabilities-drill"]').waitFor();
  await page.getByTestId("start-drill").click();
  await page.getByTestId("action-submit").waitFor();
}

test("recent changes list the timeline and the chart marks them", async () => {
  const page = await openPage(session.browser, { width: 1280, height: 1000 });
  await start(page);
  const changes = page.getByTestId("change");
  assert.equal(await changes.count(), 3);
  // Newest first: the flag 5 minutes before, the deploy 12, the config push 30.
  const first = await changes.nth(0).innerText();
  assert.match(first, /5 min before\s+flag\s+api: enable the new basket for 10%\s+by maria/i);
  assert.match(await changes.nth(1).innerText(), /12 min before\s+deploy\s+api: api 2\.1\.0 canary/i);
  assert.match(await changes.nth(2).innerText(), /30 min before\s+config\s+billing/i);
  const chart = page.getByTestId("degradation-chart");
  await page.waitForFunction(() =>
    document.querySelector("[data-testid=degradation-chart]")?.dataset.changeMarkers);
  const markers = (await chart.getAttribute("data-change-markers")).split(",").map(Number);
  assert.deepEqual(markers, [-30, -12, -5].filter((m) => m >= markers[0]));
  assert.ok(markers.includes(-12) && markers.includes(-5), `${markers}`);
  await page.getByTestId("recent-changes").scrollIntoViewIfNeeded();
  await screenshot(page, "timeline-recent-changes");

  // The responder's rollback joins the timeline at the top.
  await playAction(page, { action_type: "remediate", target: "api", parameters: { kind: "rollback" } });
  assert.equal(await changes.count(), 4);
  assert.match(await changes.nth(0).innerText(), /deploy\s+api: rollback to 2\.0\.4\s+by incident response/i);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.problems, []);
});

test("an investigated service shows its pods, the bad one apart", async () => {
  const page = await openPage(session.browser, { width: 1280, height: 1000 });
  await start(page);
  await playAction(page, { action_type: "investigate", target: "api" });
  await playAction(page, { action_type: "investigate", target: "billing" });
  await playAction(page, { action_type: "investigate", target: "worker" });
  const api = page.locator("details.investigation[data-service=api]");
  await api.evaluate((d) => { d.open = true; });
  const pods = api.getByTestId("pod");
  assert.equal(await pods.count(), 4);
  const rows = await pods.allInnerTexts();
  const errors = rows.map((r) => Number(r.split("\t")[3]?.replace("%", "") ?? NaN));
  const worst = errors.indexOf(Math.max(...errors));
  assert.equal(await pods.nth(worst).getAttribute("data-pod"), "api-2", rows.join("\n"));
  assert.ok(errors.filter((e) => e < 5).length === 3, rows.join("\n"));
  await api.getByTestId("pods").scrollIntoViewIfNeeded();
  await screenshot(page, "timeline-pods");
  // billing's exporter stopped: the map's table says so instead of numbers.
  const billing = page.locator("[data-testid=service-row][data-service=billing]");
  assert.match(await billing.innerText(), /no data/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.problems, []);
});
