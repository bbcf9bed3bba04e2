// The release build loads in Chromium without any console error or
// uncaught exception, shows the shell (header, the three stages, the
// built-in scenarios), starts a drill, and is screenshotted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSession, openPage, screenshot } from "./harness.mjs";

const session = useSession();

test("the shell loads cleanly, lists scenarios per stage and starts a drill", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("scenario-list").waitFor();
  assert.equal(await page.locator("#boot").isHidden(), true, "loading screen hidden");
  assert.match(await page.locator(".brand-name").innerText(), /Firedrill/);
  assert.equal(await page.getByTestId("task-tab").count(), 3);

  let total = 0;
  for (const task of ["severity_classification", "root_cause_analysis", "full_incident_management"]) {
    await page.locator(`[data-testid=task-tab][data-task=${task}]`).click();
    const count = await page.getByTestId("scenario-option").count();
    assert.ok(count > 0, `${task} lists scenarios`);
    total += count;
  }
  await screenshot(page, "shell-picker");

  await page.locator("[data-testid=task-tab][data-task=severity_classification]").click();
  await page.getByTestId("seed-input").fill("42");
  await page.getByTestId("seed-input").dispatchEvent("change");
  await page.getByTestId("start-drill").click();
  await page.getByTestId("step-counter").waitFor();
  assert.equal(await page.getByTestId("step-counter").innerText(), "0/10");
  assert.equal(await page.getByTestId("episode-status").innerText(), "open");
  assert.ok((await page.locator("[data-testid=service-table] tbody tr").count()) > 0);
  await screenshot(page, "shell-episode");

  const narrow = await openPage(session.browser, { width: 768, height: 1000, colorScheme: "dark" });
  await narrow.goto(session.url);
  await narrow.getByTestId("scenario-list").waitFor();
  await screenshot(narrow, "shell-narrow-dark");

  assert.ok(total >= 3, `scenarios listed: ${total}`);
  assert.deepEqual(page.problems, [], "no console error or uncaught exception");
  assert.deepEqual(narrow.problems, [], "no console error or uncaught exception (narrow)");
});

test("a panic in the wasm shows its message instead of a blank page", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("scenario-list").waitFor();
  // The page's fatal-error display, which the app's panic hook calls.
  await page.evaluate(() => window.firedrillFatal("panicked at src/app/mod.rs: example"));
  const fatal = page.getByTestId("fatal-error");
  await fatal.waitFor();
  assert.match(await fatal.innerText(), /panicked at src\/app\/mod\.rs: example/);
});

test("a wasm that cannot load shows why instead of a blank page", async () => {
  const page = await openPage(session.browser);
  await page.route("**/*.wasm", (route) =>
    route.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from("not wasm") }),
  );
  await page.goto(session.url);
  const fatal = page.getByTestId("fatal-error");
  await fatal.waitFor();
  assert.match(await fatal.innerText(), /could not start/i);
  await screenshot(page, "shell-load-failure");
});
