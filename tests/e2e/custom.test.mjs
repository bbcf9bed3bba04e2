// A custom scenario file: errors are shown with line and column; a valid
// one is chosen at once, plays, and is still there after a reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { useSession, openPage, screenshot, playAction } from "./harness.mjs";

const session = useSession();

const here = dirname(fileURLToPath(import.meta.url));
const doc = await readFile(resolve(here, "../../docs/scenarios.md"), "utf8");
const example = doc.split("```toml\n")[1].split("```")[0];
const id = example.match(/^id = "([^"]+)"/m)[1];

test("a custom scenario file with an error shows line and column", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  const broken = example.replace(/^severity = .*$/m, 'severity = "P9"');
  const line = broken.split("\n").findIndex((l) => l.startsWith('severity = "P9"')) + 1;
  await page.getByTestId("custom-scenario-file").setInputFiles({
    name: "mine.toml",
    mimeType: "text/plain",
    buffer: Buffer.from(broken),
  });
  const errors = page.getByTestId("custom-scenario-errors");
  await errors.waitFor();
  assert.match(await errors.innerText(), new RegExp(`^mine\\.toml:${line}:\\d+: .*P9`, "m"));
  await screenshot(page, "custom-scenario-error");
});

test("a valid custom scenario is chosen, plays, and survives a reload", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("custom-scenario-file").setInputFiles({
    name: "conntrack.toml",
    mimeType: "text/plain",
    buffer: Buffer.from(example),
  });
  const option = page.locator(`[data-testid=scenario-option][data-scenario="${id}"]`);
  await option.waitFor();
  assert.equal(await option.getAttribute("aria-pressed"), "true", "chosen at once");
  await page.getByTestId("start-drill").click();
  await page.getByTestId("action-submit").waitFor();
  await playAction(page, { action_type: "classify", parameters: { severity: "P2" }, reasoning: "try" });
  assert.match(await page.getByTestId("step-counter").innerText(), /^1\//);

  await page.goto(session.url);
  await page.locator(`[data-testid=scenario-option][data-scenario="${id}"]`).waitFor();
  assert.match(await page.getByTestId("step-counter").innerText(), /^1\//, "the episode of it reopens");
  assert.deepEqual(page.problems, []);
});
