// Traces: investigating a service shows a few recent traces through it as
// waterfalls (a row per span, indented by depth, durations in ms, failed
// spans marked in words); the slow dependency is the long bar; axe finds
// nothing on it, in light and dark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSession, openPage, screenshot, playAction, axeViolations } from "./harness.mjs";

const session = useSession();
const slow = "carrier-rates-api";

for (const [name, options] of [
  ["light 1280", { width: 1280, height: 900, colorScheme: "light" }],
  ["dark 768", { width: 768, height: 1000, colorScheme: "dark" }],
]) {
  test(`an investigation shows recent traces as a waterfall (${name})`, async () => {
    const page = await openPage(session.browser, options);
    await page.goto(`${session.url}?scenario=slow-third-party-v1&seed=3`);
    await page.getByTestId("action-submit").waitFor();
    await playAction(page, { action_type: "investigate", target: "checkout", reasoning: "slow checkouts" });
    await playAction(page, { action_type: "investigate", target: slow, reasoning: "the slow call" });

    // The newest investigation (open) is of the third party.
    const view = page.locator("details[open] [data-testid=trace-view]");
    await view.waitFor();
    const traces = view.getByTestId("trace");
    const count = await traces.count();
    assert.ok(count >= 3 && count <= 5, `${count} traces`);
    const first = traces.first();
    const caption = await first.locator("caption").innerText();
    assert.match(caption, /step \d+ · [\d.]+ ms from storefront · trace [0-9a-f]{8}/);
    const rows = first.getByTestId("span");
    assert.ok((await rows.count()) >= 4);
    // The rows: span name, service, status, duration in ms.
    const table = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].slice(0, 4).map((cell) => cell.textContent.trim())),
    );
    for (const [span, service, status, duration] of table) {
      assert.ok(span.length > 0 && service.length > 0);
      assert.match(status, /^(ok|✕ error)( \d{3})?$/);
      assert.match(duration, /^[\d.]+ ms$/);
    }
    // Below the root and the callers of the third party, its span is the longest.
    const ms = (text) => Number(text.replace(" ms", ""));
    const callers = new Set(["storefront", "checkout", "shipping-quotes"]);
    const others = table.filter(([, service]) => !callers.has(service));
    const longest = others.reduce((a, b) => (ms(b[3]) > ms(a[3]) ? b : a));
    assert.equal(longest[1], slow, JSON.stringify(table));
    // Indented by depth, and a bar per span.
    assert.match(await rows.nth(1).locator("th").getAttribute("class"), /indent-1/);
    assert.equal(await first.locator("svg rect").count(), await rows.count());

    assert.deepEqual(await axeViolations(page), [], "the trace view");
    await view.scrollIntoViewIfNeeded();
    await screenshot(page, `traces-${name.replace(" ", "-")}`);
    await view.screenshot({ path: new URL(`./screenshots/trace-view-${name.replace(" ", "-")}.png`, import.meta.url).pathname });
  });
}

test("a failed span says so in words, not only in colour", async () => {
  const page = await openPage(session.browser);
  // dns-failure: lookups fail, callers retry and fail.
  await page.goto(`${session.url}?scenario=dns-failure-v1&seed=1`);
  await page.getByTestId("action-submit").waitFor();
  const targets = await page.getByTestId("action-target").locator("option").evaluateAll((options) =>
    options.map((o) => o.value).filter(Boolean),
  );
  let failed = 0;
  for (const target of targets.slice(0, 4)) {
    await playAction(page, { action_type: "investigate", target, reasoning: "look" });
    failed += await page.locator("details[open] [data-testid=trace-view] tr.span-error").count();
  }
  assert.ok(failed > 0, "some span failed");
  const failedSpan = page.locator("tr.span-error").first();
  assert.match(await failedSpan.locator(".span-status").innerText(), /^✕ error/);
  const view = page.locator("[data-testid=trace-view]", { has: failedSpan });
  await view.first().screenshot({ path: new URL("./screenshots/trace-view-errors.png", import.meta.url).pathname });
  assert.deepEqual(await axeViolations(page), [], "failed spans");
});

test("the JS API's env.traces: recent traces, a service's, and clear errors", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.waitForFunction(() => window.firedrill && typeof window.firedrill.Env === "function");
  const result = await page.evaluate(() => {
    const env = new window.firedrill.Env();
    const thrown = (call) => {
      try {
        call();
        return null;
      } catch (error) {
        return { name: error.name, kind: error.kind, message: error.message };
      }
    };
    const beforeReset = thrown(() => env.traces());
    env.reset({ scenario: "slow-third-party-v1", seed: 3 });
    env.step({ action_type: "investigate", target: "checkout" });
    const all = env.traces();
    const slow = env.traces("carrier-rates-api", 4);
    const exported = env.export("otlp-traces");
    return {
      beforeReset,
      count: all.length,
      steps: all.map((t) => t.step),
      slowServices: slow.map((t) => t.spans.map((s) => s.service)),
      inExport: all.every((t) => exported.includes(t.trace_id)),
      first: all[0],
      unknown: thrown(() => env.traces("mainframe")),
      zero: thrown(() => env.traces(undefined, 0)),
      text: thrown(() => env.traces(42)),
    };
  });
  assert.equal(result.beforeReset.kind, "reset_needed");
  assert.equal(result.count, 5);
  assert.deepEqual(result.steps, [1, 1, 1, 0, 0]);
  assert.equal(result.slowServices.length, 4);
  assert.ok(result.slowServices.every((services) => services.includes("carrier-rates-api")));
  assert.ok(result.inExport);
  assert.match(result.first.trace_id, /^[0-9a-f]{32}$/);
  assert.equal(result.first.spans[0].parent_span_id, null);
  assert.equal(result.first.entry, "storefront");
  assert.equal(result.unknown.name, "FiredrillError");
  assert.equal(result.unknown.kind, "invalid_argument");
  assert.match(result.unknown.message, /traces: service "mainframe" is not in the scenario; expected one of storefront, checkout/);
  assert.equal(result.zero.kind, "invalid_argument");
  assert.match(result.zero.message, /limit must be an integer from 1 to 500, got 0/);
  assert.match(result.text.message, /service must be a string, got number/);
});
