// The browser benchmark (bench.html): the JS API of the core-only module,
// timed with performance.now(). Results go to the page and to
// window.benchResults (read by tests/e2e/bench/run.mjs).
import init, * as firedrill from "./env/firedrill_env.js";

// The same PromQL mix and episode as the native figures (src/cli/bench.rs,
// QUERY_MIX and QUERY_SCENARIO; tests/e2e/bench.test.mjs checks they agree).
export const QUERY_SCENARIO = "stuck-queue-consumer-v2";
export const QUERY_MIX = [
  "error_ratio",
  "up == 0",
  "latency_p99_seconds > 0.5",
  "ALERTS{alertstate=\"firing\"}",
  "rate(http_requests_total{code=\"500\"}[5m])",
  "sum by (service) (rate(http_requests_total[5m]))",
  "sum by (service) (rate(http_requests_total{code=\"500\"}[5m])) / sum by (service) (rate(http_requests_total[5m]))",
  "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))",
  "topk(3, error_ratio)",
  "max_over_time(saturation_ratio[10m])",
  "increase(process_cpu_seconds_total[10m])",
  "avg_over_time(cpu_usage_ratio[30m:1m])",
  "max_over_time(rate(http_requests_total{code=\"500\"}[2m])[30m:1m])",
  "count by (service) (http_request_duration_seconds_bucket{le=~\"0.1|0.25|0.5\"} > 100)",
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Steps/s on `task`: the agent's actions recorded first, then replayed under the clock with step and with stepLean. */
function stepping(env, task, agentName, seeds) {
  const episodes = [];
  for (let seed = 1; seed <= seeds; seed++) {
    env.reset({ task, seed });
    const agent = new firedrill.Agent(agentName, seed);
    const actions = [];
    let step;
    do {
      const action = agent.act(env);
      actions.push(action);
      step = env.step(action);
    } while (!step.terminated && !step.truncated);
    agent.free();
    episodes.push({ seed, actions });
  }
  let steps = 0;
  let stepTime = 0;
  const start = performance.now();
  for (const { seed, actions } of episodes) {
    env.reset({ task, seed });
    const before = performance.now();
    for (const action of actions) env.step(action);
    stepTime += performance.now() - before;
    steps += actions.length;
  }
  const total = performance.now() - start;
  // The same episodes through stepLean: no observation crosses the boundary.
  let leanTime = 0;
  for (const { seed, actions } of episodes) {
    env.reset({ task, seed });
    const before = performance.now();
    for (const action of actions) env.stepLean(action);
    leanTime += performance.now() - before;
  }
  return {
    episodes: episodes.length,
    steps,
    steps_per_second: Math.round(steps / (stepTime / 1000)),
    steps_per_second_lean: Math.round(steps / (leanTime / 1000)),
    overall_steps_per_second: Math.round(steps / (total / 1000)),
    reset_us: Math.round(((total - stepTime) / episodes.length) * 1000 * 10) / 10,
  };
}

/** Median µs of a call, over `repeats` rounds of `per` calls. */
function time(call, repeats = 15, per = 20) {
  const rounds = [];
  for (let r = 0; r < repeats; r++) {
    const before = performance.now();
    for (let i = 0; i < per; i++) call();
    rounds.push(((performance.now() - before) / per) * 1000);
  }
  return median(rounds);
}

function queries(env) {
  env.reset({ scenario: QUERY_SCENARIO, seed: 1 });
  const agent = new firedrill.Agent("random", 1);
  let step;
  do step = env.step(agent.act(env)); while (!step.terminated && !step.truncated);
  agent.free();
  const end = env.state().end_time;
  const stepSeconds = env.state().step_seconds;
  const mix = QUERY_MIX.map((query) => ({
    query,
    instant_us: time(() => env.query(query, end)),
    range_us: time(() => env.queryRange(query, end - 3600, end, stepSeconds), 7, 3),
    status: env.query(query, end).status,
  }));
  return {
    query_instant_us_median: median(mix.map((q) => q.instant_us)),
    query_range_us_median: median(mix.map((q) => q.range_us)),
    queries: mix,
  };
}

/** wasm memory (MiB) every `every` heuristic episodes of the hard task, `episodes` in all. */
function memory(wasm, env, episodes, every) {
  const mib = () => wasm.memory.buffer.byteLength / (1 << 20);
  const samples = [{ episodes: 0, wasm_mib: mib() }];
  for (let i = 1; i <= episodes; i++) {
    env.reset({ task: "full_incident_management", seed: i });
    const agent = new firedrill.Agent(i % 2 ? "heuristic" : "random", i);
    let step;
    do step = env.step(agent.act(env)); while (!step.terminated && !step.truncated);
    env.grade();
    agent.free();
    if (i % every === 0) samples.push({ episodes: i, wasm_mib: mib() });
  }
  return samples;
}

async function run() {
  const status = document.getElementById("status");
  status.textContent = "running…";
  const params = new URLSearchParams(location.search);
  const episodes = Math.max(10, Math.min(100000, parseInt(params.get("episodes") || "10000", 10) || 10000));
  const loadStart = performance.now();
  const wasm = await init();
  const results = { module_init_ms: Math.round(performance.now() - loadStart), user_agent: navigator.userAgent };
  const env = new firedrill.Env();
  // The wasm memory after each part (it only grows: a high-water mark).
  const mib = () => wasm.memory.buffer.byteLength / (1 << 20);
  results.wasm_mib_after_part = { init: mib() };
  results.stepping = {};
  for (const task of ["severity_classification", "root_cause_analysis", "full_incident_management"]) {
    results.stepping[task] = stepping(env, task, "heuristic", 300);
    results.wasm_mib_after_part[task] = mib();
  }
  results.stepping.full_incident_management_oracle = stepping(env, "full_incident_management", "oracle", 300);
  results.wasm_mib_after_part.full_incident_management_oracle = mib();
  Object.assign(results, queries(env));
  results.wasm_mib_after_part.queries = mib();
  results.memory = memory(wasm, env, episodes, Math.max(1, Math.floor(episodes / 10)));
  results.wasm_mib_after = results.memory[results.memory.length - 1].wasm_mib;
  env.free();
  window.benchResults = results;
  document.getElementById("results").textContent = JSON.stringify(results, null, 2);
  status.textContent = "done";
}

document.getElementById("run").addEventListener("click", () => run());
run().catch((error) => {
  document.getElementById("status").textContent = `failed: ${error.message}`;
  window.benchResults = { error: error.message };
});
