// The browser benchmark of the release build, in headless Chromium:
//   - the JS API (bench.html: steps/s per task, PromQL latency in wasm,
//     wasm memory after many autoplayed episodes),
//   - navigation → interactive of the app (the "firedrill-interactive"
//     performance mark, set once the app is mounted), median of cold loads,
//   - the UI step (an action submitted through the form → the next frame
//     painted, with the map and charts redrawn), p50 and p95,
//   - what the app's page downloads with no user action, served with
//     gzip: the first load, then what it fetches by itself (the core-only
//     module, the service worker's precache), counted by the server.
// Prints a summary and writes the whole report as JSON. No figure is
// asserted: timings on a shared machine are reported, not tested.
//
//   node tests/e2e/bench/run.mjs [--episodes N] [--loads N] [--json FILE]
import { writeFileSync } from "node:fs";
import { serveDist, serveStatic, distDir, launchBrowser, openPage, nativeCli, fillAction } from "../harness.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const episodes = Number(option("--episodes", 10000));
const loads = Number(option("--loads", 10));
const jsonOut = option("--json", "target/browser-bench.json");

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (values) => quantile(values, 0.5);

const server = await serveDist();
const browser = await launchBrowser();
const report = { date: new Date().toISOString(), chromium: browser.version() };
try {
  // Cold loads: a new context (empty cache) each time.
  const interactive = [];
  const wasmStarted = [];
  for (let i = 0; i < loads; i++) {
    const page = await openPage(browser);
    await page.goto(server.url);
    const at = await page.waitForFunction(() => {
      const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
      return mark("firedrill-interactive") ? [mark("firedrill-interactive"), mark("firedrill-wasm-started")] : null;
    });
    const [ready, started] = await at.jsonValue();
    interactive.push(ready);
    wasmStarted.push(started);
    await page.context().close();
  }
  // wasm_started: the wasm downloaded, compiled and running (app::start);
  // the rest is building the app (scenarios parsed) and its first render.
  report.navigation_to_interactive_ms = { median: median(interactive), wasm_started_median: median(wasmStarted), samples: interactive };

  // Everything the page downloads with no user action: a cold load served
  // as a production host serves it (gzip, ETags), left alone until the
  // service worker has saved the app for offline use and the network has
  // been quiet for two seconds; by what was fetched.
  {
    const gzipped = await serveStatic(distDir, {}, { gzip: true });
    const page = await openPage(browser);
    await page.goto(gzipped.url);
    await page.waitForFunction(() => performance.getEntriesByName("firedrill-interactive").length > 0);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true)); // installed: precached
    let count = -1;
    while (count !== gzipped.sent.length) {
      count = gzipped.sent.length;
      await new Promise((ok) => setTimeout(ok, 2000));
    }
    const kb = (test) => gzipped.sent.filter((r) => test(r.path)).reduce((sum, r) => sum + r.bytes, 0) / 1024;
    const offline = (path) => /^\/(sw\.js|manifest\.webmanifest|icons\/)/.test(path);
    report.no_user_action_kb = {
      total: kb(() => true),
      app: kb((path) => !path.startsWith("/env/") && !path.startsWith("/scenarios/") && !offline(path)),
      core_only_module: kb((path) => path.startsWith("/env/")),
      scenario_files: kb((path) => path.startsWith("/scenarios/")),
      service_worker_and_icons: kb(offline),
      requests: gzipped.sent.length,
    };
    await page.context().close();
    await gzipped.close();
  }

  // UI steps: the oracle's actions through the form on hard scenarios.
  const scenarios = nativeCli(["list", "--json"]).filter((s) => s.task === "full_incident_management").slice(0, 6);
  const stepMs = [];
  const stepWrites = [];
  const page = await openPage(browser);
  for (const scenario of scenarios) {
    const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "1", "--agent", "oracle", "--json"]);
    await page.goto(`${server.url}?scenario=${scenario.id}&seed=1`);
    await page.getByTestId("action-submit").waitFor();
    for (const action of run.actions) {
      await fillAction(page, action);
      // The time, and the DOM writes of the step: nodes added or removed,
      // texts and attributes set (a measure of its work that does not
      // depend on the machine's load).
      const [ms, writes] = await page.evaluate(
        () =>
          new Promise((resolve) => {
            let writes = 0;
            const count = (records) => {
              for (const r of records) writes += r.type === "childList" ? r.addedNodes.length + r.removedNodes.length : 1;
            };
            const observer = new MutationObserver(count);
            observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
            const start = performance.now();
            document.querySelector("[data-testid=action-submit]").click();
            requestAnimationFrame(() =>
              setTimeout(() => {
                const ms = performance.now() - start;
                count(observer.takeRecords());
                observer.disconnect();
                resolve([ms, writes]);
              }, 0),
            );
          }),
      );
      stepMs.push(ms);
      stepWrites.push(writes);
    }
  }
  await page.context().close();
  report.ui_step_ms = { p50: median(stepMs), p95: quantile(stepMs, 0.95), steps: stepMs.length };
  report.ui_step_dom_writes = { p50: median(stepWrites), p95: quantile(stepWrites, 0.95), mean: stepWrites.reduce((a, b) => a + b, 0) / stepWrites.length };

  // The JS API page.
  const bench = await openPage(browser);
  await bench.goto(`${server.url}bench.html?episodes=${episodes}`);
  const results = await bench.waitForFunction(() => window.benchResults, null, { timeout: 30 * 60 * 1000, polling: 500 });
  report.js_api = await results.jsonValue();
  if (report.js_api.error) throw new Error(`bench.html failed: ${report.js_api.error}`);
  if (bench.problems.length) throw new Error(`bench.html: ${bench.problems.join("; ")}`);
  await bench.context().close();
} finally {
  await browser.close();
  await server.close();
}

writeFileSync(jsonOut, JSON.stringify(report, null, 2));
const api = report.js_api;
console.log(`browser benchmark (${report.chromium}), full report in ${jsonOut}:`);
for (const [task, s] of Object.entries(api.stepping)) {
  console.log(`  JS API ${task}: ${s.steps_per_second} steps/s in step(), ${s.steps_per_second_lean} in stepLean(), ${s.overall_steps_per_second} with reset (${s.episodes} episodes, reset ${s.reset_us} µs)`);
}
console.log(`  PromQL through the JS API (parse + evaluate + JSON): instant median ${api.query_instant_us_median.toFixed(1)} µs, 60-minute range median ${api.query_range_us_median.toFixed(1)} µs`);
console.log(`  wasm memory: ${api.memory.map((m) => `${m.episodes}: ${m.wasm_mib.toFixed(1)} MiB`).join(", ")}`);
console.log(`  navigation → interactive: median ${report.navigation_to_interactive_ms.median.toFixed(0)} ms of ${loads} cold loads (wasm running after ${report.navigation_to_interactive_ms.wasm_started_median.toFixed(0)} ms)`);
const bytes = report.no_user_action_kb;
console.log(`  downloaded with no user action (gzip, ETags): ${bytes.total.toFixed(1)} KB in ${bytes.requests} requests: the app ${bytes.app.toFixed(1)} KB, the core-only module ${bytes.core_only_module.toFixed(1)} KB, the scenario files (precache) ${bytes.scenario_files.toFixed(1)} KB, the service worker and icons ${bytes.service_worker_and_icons.toFixed(1)} KB`);
console.log(`  UI step: p50 ${report.ui_step_ms.p50.toFixed(1)} ms, p95 ${report.ui_step_ms.p95.toFixed(1)} ms (${report.ui_step_ms.steps} steps); DOM writes per step (nodes added or removed, texts, attributes): p50 ${report.ui_step_dom_writes.p50}, p95 ${report.ui_step_dom_writes.p95}, mean ${report.ui_step_dom_writes.mean.toFixed(0)}`);
