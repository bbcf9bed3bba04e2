// The browser benchmark page works (a short run) and measures the same
// PromQL mix and episode as the native figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useSession, openPage } from "./harness.mjs";

const session = useSession();
const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
/** The string literals of the array `name = [ … ]` / `name: [&str; N] = [ … ]` in `text`. */
function literals(text, name) {
  const body = text.match(new RegExp(`${name}[^=]*=\\s*\\[([\\s\\S]*?)\\];`));
  assert.ok(body, `${name} found`);
  return [...body[1].matchAll(/"((?:[^"\\\\]|\\\\.)*)"/g)].map((m) => m[1]);
}

test("bench.js measures the PromQL mix and episode of src/cli/bench.rs", () => {
  const native = read("src/cli/bench.rs");
  const browser = read("www/bench.js");
  assert.deepEqual(literals(browser, "QUERY_MIX"), literals(native, "QUERY_MIX"));
  assert.equal(browser.match(/QUERY_SCENARIO = "([^"]+)"/)[1], native.match(/QUERY_SCENARIO: &str = "([^"]+)"/)[1]);
});

test("bench.html runs and reports every figure", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}bench.html?episodes=20`);
  const handle = await page.waitForFunction(() => window.benchResults, null, { timeout: 120_000, polling: 200 });
  const results = await handle.jsonValue();
  assert.equal(results.error, undefined);
  for (const task of ["severity_classification", "root_cause_analysis", "full_incident_management"]) {
    assert.ok(results.stepping[task].steps_per_second > 0, task);
    assert.ok(results.stepping[task].steps_per_second_lean > 0, task);
    assert.ok(results.stepping[task].episodes === 300, task);
  }
  assert.ok(results.queries.every((q) => q.status === "success" && q.instant_us > 0 && q.range_us > 0));
  assert.ok(results.query_instant_us_median > 0 && results.query_range_us_median > 0);
  assert.equal(results.memory.at(-1).episodes, 20);
  assert.ok(results.wasm_mib_after > 0);
  assert.match(await page.getByTestId("bench-results").innerText(), /"query_instant_us_median"/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
