// Text from scenario files, people, other pages and imported files is shown
// as text, never parsed as HTML: a custom scenario whose every free-text
// field is an HTML payload, played with payloads in the action texts, and a
// leaderboard file with payload names. No element of a payload is created,
// no handler runs, and the payload's characters are on the page as typed.
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

// Each payload sets window.__xss if any part of it ever runs.
const payloads = {
  img: `<img src=x onerror='window.__xss="img"'>`,
  script: `<script>window.__xss="script"</script>`,
  svg: `<svg onload='window.__xss="svg"'></svg>`,
  attr: `"><iframe src='javascript:window.__xss=1'></iframe>`,
};
const tagged = (field) => `${field} ${payloads.img} ${payloads.script}`;

// The docs example with a payload in every free-text field a scenario has.
function hostileScenario() {
  // JSON string syntax is TOML basic-string syntax (quotes and escapes).
  const replace = (text, pattern, value) => {
    assert.match(text, pattern);
    return text.replace(pattern, () => value);
  };
  const str = JSON.stringify;
  let text = example;
  text = replace(text, /^id = ".*"$/m, 'id = "xss-payloads-v1"');
  text = replace(text, /^title = ".*"$/m, `title = ${str(tagged("Title"))}`);
  text = replace(text, /^summary = ".*"$/m, `summary = ${str(`${tagged("Summary")} ${payloads.svg}`)}`);
  text = replace(text, /^description = ".*"$/m, `description = ${str(`${tagged("Fault")} ${payloads.attr}`)}`);
  text = replace(text, /^message = "kernel: .*"$/m, `message = ${str(tagged("Log"))}`);
  text = replace(text, /^fields = \{ node = "ip-10-4-7-19", pool = "node-pool-b" \}$/m,
    `fields = { node = ${str(payloads.img)}, pool = ${str(payloads.attr)} }`);
  text = replace(text, /^reason = "The 18:00 .*"$/m, `reason = ${str(tagged("Herring"))}`);
  text = replace(text, /^summary = "node-pool-b connection-tracking .*"$/m, `summary = ${str(tagged("Alert"))}`);
  text = replace(text, /^threshold = 0\.9$/m, "threshold = 0.5"); // fires at the first step
  text = replace(text, /^effect = "upload-api is pinned .*"$/m, `effect = ${str(tagged("Effect"))}`);
  return text;
}

async function assertInert(page, where) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${where}: a payload ran`);
  for (const selector of ["img[src=x]", "script:not([src])", "svg[onload]", "iframe", "[onerror]"]) {
    assert.equal(await page.locator(selector).count(), 0, `${where}: ${selector} was created`);
  }
}

test("payloads in a scenario file, in actions and in the debrief stay text", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("custom-scenario-file").setInputFiles({
    name: "xss.toml",
    mimeType: "text/plain",
    buffer: Buffer.from(hostileScenario()),
  });
  const option = page.locator('[data-testid=scenario-option][data-scenario="xss-payloads-v1"]');
  await option.waitFor();
  assert.ok((await option.innerText()).includes(tagged("Title")), "the title is shown as typed");
  await assertInert(page, "picker");

  await page.getByTestId("start-drill").click();
  await page.getByTestId("action-submit").waitFor();
  const body = () => page.locator("body").innerText();
  assert.ok((await body()).includes(tagged("Summary")), "the summary is shown as typed");

  await playAction(page, { action_type: "investigate", target: "node-pool-b", reasoning: payloads.svg });
  assert.ok((await page.getByTestId("investigations").innerText()).includes(tagged("Log")), "log lines are text");
  assert.ok((await page.getByTestId("investigations").innerText()).includes(payloads.attr), "log fields are text");
  assert.ok((await page.getByTestId("alert-list").innerText()).includes(tagged("Alert")), "alert summaries are text");
  await playAction(page, {
    action_type: "communicate",
    parameters: { channel: "status_page", message: `uploads failing, investigating ${payloads.img}` },
    reasoning: payloads.script,
  });
  await playAction(page, {
    action_type: "remediate",
    target: "upload-api",
    parameters: { kind: "restart" },
    reasoning: payloads.attr,
  });
  assert.ok((await page.getByTestId("action-history").innerText()).includes(payloads.attr));
  await assertInert(page, "incident");

  await page.getByTestId("autoplay-agent").selectOption("oracle");
  await page.getByTestId("autoplay-speed").selectOption({ label: "fast" });
  await page.getByTestId("autoplay-toggle").click();
  await page.getByTestId("grade-score").waitFor({ timeout: 60_000 });
  const debrief = await page.getByTestId("debrief").innerText();
  for (const field of ["Fault", "Herring", "Effect"]) {
    assert.ok(debrief.includes(tagged(field)), `the debrief shows ${field} as typed`);
  }
  await assertInert(page, "debrief");
  await screenshot(page, "xss-debrief");
  assert.deepEqual(page.problems, []);
});

test("payload names in an imported leaderboard stay text", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  const entries = Object.values(payloads).map((name, i) => ({
    name,
    scenario: `s-${payloads.img}`.slice(0, 200),
    task: "severity_classification",
    seed: i,
    score: 0.5,
    steps: 3,
    date: `2026-12-02T10:00:0${i}.000Z`,
    dimensions: { [payloads.img.slice(0, 60)]: 1 },
  }));
  await page.getByTestId("leaderboard-import").setInputFiles({
    name: "board.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ format: "firedrill-leaderboard", version: 2, entries })),
  });
  await page.getByText(/Imported board\.json: 4 new entries/).waitFor();
  const rows = await page.getByTestId("leaderboard").innerText();
  for (const name of Object.values(payloads)) assert.ok(rows.includes(name), `${name} shown as typed`);
  await assertInert(page, "leaderboard");
  assert.deepEqual(page.problems, []);
});
