// Where the time of a UI step goes: the oracle's actions on hard scenarios
// submitted through the form (as run.mjs times them), under the V8 sampling
// profiler and a Chromium trace. Prints the step latencies, the main
// thread's time by kind (script, style, layout, paint) and the sampled
// self time of the script by part of the app (the view a wasm function
// belongs to, from the nearest `firedrill::web::app::<view>` frame on its stack).
//
// Function names come from the wasm's name section, which wasm-opt strips
// from the release build: profile a copy of dist/ whose app wasm is the
// wasm-bindgen output of the same `cargo build --release` before wasm-opt
// (BENCHMARKS.md, "Where a UI step's time goes", shows how to make it).
//
//   node tests/e2e/bench/profile-ui.mjs [--dist DIR] [--scenarios N]
import { resolve } from "node:path";
import { serveStatic, launchBrowser, openPage, nativeCli, fillAction } from "../harness.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const dist = resolve(option("--dist", "dist"));
const scenarioCount = Number(option("--scenarios", 6));

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

// The part of the app a stack belongs to: the innermost frame that names one.
function part(stack) {
  for (const name of stack) {
    const view = name.match(/firedrill::web::app::([a-z_]+)/);
    if (view) return `app::${view[1]}`;
  }
  for (const name of stack) {
    if (/firedrill::(env|sim|metrics|agents|scenario)::/.test(name)) return "core (env, simulation, metrics)";
  }
  return "other (framework, glue, DOM calls)";
}

// The kind of a sampled leaf: what ran at that moment.
function kind(name) {
  if (/^(tachys|reactive_graph|leptos|either_of|any_spawner)/.test(name) || /(tachys|reactive_graph|leptos)::/.test(name)) return "Leptos";
  if (/plotters/.test(name)) return "plotters";
  if (/(dlmalloc|alloc::|core::fmt|core::str|<alloc|memcpy|memmove|memset)/.test(name)) return "allocation, formatting, strings";
  if (/(wasm_bindgen|js_sys|web_sys|__wbg|__wbindgen)/.test(name)) return "wasm-bindgen glue";
  if (/firedrill::/.test(name)) return "Firedrill code";
  if (name === "(program)" || name === "(garbage collector)") return name;
  if (name === "(idle)") return "(idle)";
  return "JS and browser (DOM calls, events)";
}

const server = await serveStatic(dist);
const browser = await launchBrowser();
try {
  const scenarios = nativeCli(["list", "--json"]).filter((s) => s.task === "full_incident_management").slice(0, scenarioCount);
  const page = await openPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  const stepMs = [];
  const byPart = new Map();
  const byKind = new Map();
  const traceKinds = new Map();
  const leaves = new Map();
  const stacks = new Map();
  let sampledMs = 0;
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);

  for (const scenario of scenarios) {
    const run = nativeCli(["run", "--scenario", scenario.id, "--seed", "1", "--agent", "oracle", "--json"]);
    await page.goto(`${server.url}?scenario=${scenario.id}&seed=1`);
    await page.getByTestId("action-submit").waitFor();
    await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"] });
    await cdp.send("Profiler.start");
    for (const action of run.actions) {
      await fillAction(page, action);
      const ms = await page.evaluate(
        () =>
          new Promise((resolve) => {
            performance.mark("profile-step-start");
            const start = performance.now();
            document.querySelector("[data-testid=action-submit]").click();
            requestAnimationFrame(() =>
              setTimeout(() => {
                performance.mark("profile-step-end");
                resolve(performance.now() - start);
              }, 0),
            );
          }),
      );
      stepMs.push(ms);
    }
    const { profile } = await cdp.send("Profiler.stop");
    const trace = JSON.parse((await browser.stopTracing()).toString("utf8"));
    // The steps' windows on the trace clock (µs of monotonic time, the
    // profiler's clock too), from the marks set around each step.
    const marks = (name) => trace.traceEvents.filter((e) => e.name === name && e.cat.includes("user_timing")).map((e) => e.ts).sort((a, b) => a - b);
    const starts = marks("profile-step-start");
    const ends = marks("profile-step-end");
    const windows = starts.map((a, i) => [a, ends[i]]);
    const inWindow = (ts) => windows.some(([a, b]) => ts >= a && ts <= b);

    // The profile: self time of each sample inside a step window, by the
    // part of the app on its stack and by the kind of its leaf.
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const stackOf = (id) => {
      const names = [];
      for (let at = id; at !== undefined; at = parent.get(at)) names.push(nodes.get(at).callFrame.functionName || "(anonymous)");
      return names;
    };
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i];
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      if (!inWindow(t)) return;
      const stack = stackOf(id);
      const leaf = stack[0];
      if (leaf === "(idle)") return;
      sampledMs += ms;
      if (leaf === "(program)") return add(byPart, "the browser's own work (style, layout, paint)", ms), add(byKind, leaf, ms);
      add(byPart, part(stack.filter((n) => !n.startsWith("("))), ms);
      add(byKind, kind(leaf), ms);
      add(leaves, leaf, ms);
      if (process.env.PROFILE_STACKS && leaf.includes(process.env.PROFILE_STACKS)) add(stacks, stack.slice(0, 14).map((n) => n.slice(0, 90)).join("\n      < "), ms);
    });

    // The trace: the renderer main thread's work inside the steps, each
    // event's own time (its duration less its children's) counted for the
    // nearest event, itself or an ancestor, of a known kind.
    const main = trace.traceEvents.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
    const names = { FunctionCall: "script", EvaluateScript: "script", EventDispatch: "script", TimerFire: "script", FireAnimationFrame: "script", "v8.callFunction": "script", UpdateLayoutTree: "style", Layout: "layout", PrePaint: "paint", Paint: "paint", Layerize: "paint", Commit: "paint (commit to the compositor)", UpdateLayer: "paint", CompositeLayers: "paint" };
    const events = trace.traceEvents
      .filter((e) => e.ph === "X" && e.pid === main?.pid && e.tid === main?.tid && e.dur !== undefined && inWindow(e.ts))
      .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const open = [];
    for (const e of events) {
      while (open.length && open.at(-1).ts + open.at(-1).dur <= e.ts) open.pop();
      e.children = 0;
      e.kind = names[e.name] ?? open.at(-1)?.kind;
      if (open.length) open.at(-1).children += e.dur;
      open.push(e);
    }
    for (const e of events) add(traceKinds, e.kind ?? "other (tasks, input, scheduling)", Math.max(0, e.dur - e.children) / 1000);
  }
  const table = (map, total) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).map(([k, ms]) => `    ${(ms / stepMs.length).toFixed(2).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`).join("\n");
  const total = stepMs.reduce((a, b) => a + b, 0);
  console.log(`UI steps: ${stepMs.length}, p50 ${quantile(stepMs, 0.5).toFixed(1)} ms, p95 ${quantile(stepMs, 0.95).toFixed(1)} ms, max ${Math.max(...stepMs).toFixed(1)} ms`);
  console.log(`main thread by kind (trace, own time; per step, share of the step time):\n${table(traceKinds, total)}`);
  console.log(`sampled script time by part of the app (per step, share of the sampled time ${(sampledMs / stepMs.length).toFixed(2)} ms):\n${table(byPart, sampledMs)}`);
  console.log(`sampled script time by what ran:\n${table(byKind, sampledMs)}`);
  const slow = stepMs.map((ms, i) => [ms, i]).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([ms, i]) => `#${i} ${ms.toFixed(1)} ms`);
  if (process.env.PROFILE_LEAVES) console.log([...leaves.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, ms]) => `${(ms / stepMs.length).toFixed(3)} ${k.slice(0, 150)}`).join("\n"));
  if (process.env.PROFILE_STACKS) console.log([...stacks.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, ms]) => `${(ms / stepMs.length).toFixed(3)} ms:\n      ${k}`).join("\n"));
  console.log(`slowest steps: ${slow.join(", ")}`);
} finally {
  await browser.close();
  await server.close();
}
