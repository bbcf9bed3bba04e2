// The JS API: window.firedrill in the app and the core-only module
// env/firedrill_env.js, driven by agent loops whose grades must equal the
// native CLI's for the same actions, and hostile calls that must throw a
// clear Error and leave the instance usable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useSession, openPage, nativeCli } from "./harness.mjs";

/** The complete agent loop of docs/agents.md, as it is written there. */
const docsExample = (() => {
  const text = readFileSync(new URL("../../docs/agents.md", import.meta.url), "utf8");
  const block = text.match(/```js\n(\/\/ example: agent-loop\n[\s\S]*?)```/);
  if (!block) throw new Error("docs/agents.md has no ```js block starting with // example: agent-loop");
  return block[1];
})();

const icon = '<link rel="icon" href="data:,">';
const session = useSession({
  "/agent.html": `<!doctype html><title>agent page</title>${icon}<p>agent</p>`,
  "/docs-agent-example.html": `<!doctype html><title>docs example</title>${icon}<script type="module">${docsExample}</script>`,
});

/**
 * Runs in the page: plays `episodes` with a seeded agent that mixes the
 * baseline agents' actions with random (often invalid) ones, recording the
 * actions the environment accepted, and returns
 * [{ scenario, seed, actions, score, steps, refused }].
 */
function agentLoop(api, episodes) {
  function mulberry32(seed) {
    return function () {
      seed |= 0;
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pick = (random, list) => list[Math.floor(random() * list.length)];
  const scenarios = api.scenarios();
  const env = new api.Env();
  const results = [];
  for (let i = 0; i < episodes; i++) {
    const scenario = scenarios[i % scenarios.length].id;
    const seed = 1000 + i;
    const random = mulberry32(seed);
    let observation = env.reset({ scenario, seed });
    const agent = new api.Agent(pick(random, ["random", "heuristic", "oracle"]), seed);
    const actions = [];
    let refused = 0;
    for (let tries = 0; tries < 200 && !observation.done; tries++) {
      let action;
      if (random() < 0.6) {
        action = agent.act(env);
      } else {
        const type = pick(random, ["investigate", "classify", "diagnose", "remediate", "escalate", "communicate", "dance"]);
        const services = observation.services.map((s) => s.name);
        action = { action_type: type, reasoning: `try ${tries}` };
        if (["investigate", "diagnose", "remediate"].includes(type)) action.target = pick(random, [...services, "nowhere"]);
        if (type === "escalate") action.target = pick(random, [...observation.teams, "nobody"]);
        if (type === "classify") action.parameters = { severity: pick(random, ["P1", "P2", "P3", "P4", "P9"]) };
        if (type === "diagnose") action.parameters = { root_cause: pick(random, ["connection_pool_exhaustion", "memory_leak", "bad_deploy", "gremlins"]) };
        if (type === "remediate") action.parameters = { kind: pick(random, ["restart", "rollback", "scale", "config_change", "failover", "flush_cache", "pray"]) };
        if (type === "communicate") action.parameters = { channel: pick(random, ["status_page", "slack", "email"]), message: "Investigating elevated errors; next update in 30 minutes." };
      }
      try {
        const step = env.step(action);
        actions.push(action);
        observation = step.observation;
      } catch (error) {
        if (!(error instanceof Error)) throw new Error(`a refused action threw a non-Error: ${error}`);
        refused += 1;
      }
    }
    const grade = env.grade();
    results.push({ scenario, seed, actions, score: grade.score, steps: actions.length, refused });
  }
  return results;
}

/** Checks each episode's score against `firedrill run --actions`. */
function assertNativeGrades(results) {
  const dir = mkdtempSync(join(tmpdir(), "firedrill-api-"));
  try {
    for (const [i, r] of results.entries()) {
      const file = join(dir, `${i}.json`);
      writeFileSync(file, JSON.stringify(r.actions));
      const native = nativeCli(["run", "--scenario", r.scenario, "--seed", String(r.seed), "--actions", file, "--json"]);
      assert.equal(native.steps, r.steps, `${r.scenario} seed ${r.seed}: steps`);
      assert.equal(native.score, r.score, `${r.scenario} seed ${r.seed}: the browser's grade equals the native one`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("an agent loop through window.firedrill grades exactly as the native CLI", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.waitForFunction(() => window.firedrill && typeof window.firedrill.Env === "function");
  const results = await page.evaluate(`(${agentLoop})(window.firedrill, 72)`);
  assert.equal(results.length, 72);
  assert.ok(results.some((r) => r.refused > 0), "the loop tried invalid actions too");
  assert.ok(results.every((r) => r.score >= 0 && r.score <= 1));
  assertNativeGrades(results);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("the core-only module env/firedrill_env.js runs the same agent loop", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}agent.html`);
  const results = await page.evaluate(async (loop) => {
    const module = await import("/env/firedrill_env.js");
    await module.default();
    return new Function("api", "n", `return (${loop})(api, n)`)(module, 36);
  }, agentLoop.toString());
  assert.equal(results.length, 36);
  assertNativeGrades(results);
  // No UI: the page is the bare agent page.
  assert.equal(await page.locator("body").innerText(), "agent");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("stepLean plays the episode step plays, without the observation, which observation() gives", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}agent.html`);
  const result = await page.evaluate(async () => {
    const api = await import("/env/firedrill_env.js");
    await api.default();
    const [full, lean] = [new api.Env(), new api.Env()];
    const selection = { task: "full_incident_management", seed: 9 };
    full.reset(selection);
    lean.reset(selection);
    const agent = new api.Agent("oracle", 9);
    const mismatches = [];
    let steps = 0;
    for (let step; !step?.terminated && !step?.truncated; steps++) {
      const action = agent.act(full);
      step = full.step(action);
      const leanStep = lean.stepLean(action);
      const { observation, ...rest } = step;
      if (JSON.stringify(leanStep) !== JSON.stringify(rest)) mismatches.push(["step", steps, leanStep, rest]);
      if (JSON.stringify(lean.observation()) !== JSON.stringify(observation)) mismatches.push(["observation", steps]);
      if ("observation" in leanStep) mismatches.push(["has an observation", steps]);
    }
    let error;
    try {
      lean.stepLean({ action_type: "investigate", target: "nowhere" });
    } catch (e) {
      error = { name: e.name, kind: e.kind };
    }
    return { steps, mismatches, same_grade: JSON.stringify(full.grade()) === JSON.stringify(lean.grade()), error };
  });
  assert.deepEqual(result.mismatches, []);
  assert.ok(result.steps > 3);
  assert.equal(result.same_grade, true);
  assert.deepEqual(result.error, { name: "FiredrillError", kind: "episode_over" });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("hostile calls throw a clear Error and leave the environment usable", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.waitForFunction(() => window.firedrill && typeof window.firedrill.Env === "function");
  const outcomes = await page.evaluate(() => {
    const api = window.firedrill;
    const env = new api.Env();
    const huge = "x".repeat(5_000_000);
    const calls = {
      "step before reset": () => env.step({ action_type: "classify", parameters: { severity: "P1" } }),
      "state before reset": () => env.state(),
      "grade before reset": () => env.grade(),
      "query before reset": () => env.query("up"),
      "reset without options": () => env.reset(),
      "reset with a string": () => env.reset("severity_classification"),
      "reset with an unknown option": () => env.reset({ task: "severity_classification", colour: "red" }),
      "reset with scenario and task": () => env.reset({ task: "severity_classification", scenario: "x" }),
      "reset with an unknown task": () => env.reset({ task: "juggling" }),
      "reset with an unknown scenario": () => env.reset({ scenario: "no-such-scenario" }),
      "reset with a NaN seed": () => env.reset({ task: "severity_classification", seed: NaN }),
      "reset with a negative seed": () => env.reset({ task: "severity_classification", seed: -1 }),
      "reset with a fractional seed": () => env.reset({ task: "severity_classification", seed: 1.5 }),
      "reset with a huge seed": () => env.reset({ task: "severity_classification", seed: 2 ** 60 }),
      "reset with a huge BigInt seed": () => env.reset({ task: "severity_classification", seed: 2n ** 64n }),
      "reset with a string seed": () => env.reset({ task: "severity_classification", seed: "7" }),
      "reset with a throwing getter": () => env.reset({ task: "severity_classification", get seed() { throw new Error("boom"); } }),
      "reset with a huge scenario id": () => env.reset({ scenario: huge }),
    };
    const afterReset = {
      "step with nothing": () => env.step(),
      "step with null": () => env.step(null),
      "step with an array": () => env.step([1, 2]),
      "step with a number": () => env.step(42),
      "step without action_type": () => env.step({ target: "checkout" }),
      "step with a numeric action_type": () => env.step({ action_type: 7 }),
      "step with an unknown action_type": () => env.step({ action_type: "dance" }),
      "step with an unknown field": () => env.step({ action_type: "classify", parameters: { severity: "P1" }, colour: "red" }),
      "step with parameters as a string": () => env.step({ action_type: "classify", parameters: "P1" }),
      "step with a numeric parameter": () => env.step({ action_type: "classify", parameters: { severity: 1 } }),
      "step with a bad severity": () => env.step({ action_type: "classify", parameters: { severity: "P9" } }),
      "step with an unknown service": () => env.step({ action_type: "investigate", target: "nowhere" }),
      "step with a huge reasoning": () => env.step({ action_type: "classify", parameters: { severity: "P1" }, reasoning: huge }),
      "step with a long reasoning": () => env.step({ action_type: "classify", parameters: { severity: "P1" }, reasoning: "y".repeat(3000) }),
      "step with many parameters": () => env.step({ action_type: "classify", parameters: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, "v"])) }),
      "step with a symbol target": () => env.step({ action_type: "investigate", target: Symbol("x") }),
      "query with a number": () => env.query(42),
      "query with a huge expression": () => env.query(huge),
      "query at a NaN time": () => env.query("up", NaN),
      "query at a string time": () => env.query("up", "now"),
      "queryRange with start after end": () => env.queryRange("up", 2000, 1000, 30),
      "queryRange with a zero step": () => env.queryRange("up", 1000, 2000, 0),
      "queryRange with too many points": () => env.queryRange("up", 0, 1e9, 1),
      "queryRange without end": () => env.queryRange("up", 1000),
      "export of an unknown kind": () => env.export("pdf"),
      "loadScenario with a number": () => env.loadScenario(5),
      "loadScenario with bad TOML": () => env.loadScenario("id = \"x\"\n[services\n"),
      "loadScenario with a huge text": () => env.loadScenario(huge),
      "Agent with an unknown name": () => new api.Agent("genius", 1),
      "Agent with a bad seed": () => new api.Agent("random", -5),
      "step with the wrong this": () => api.Env.prototype.step.call({}, { action_type: "classify" }),
    };
    const outcome = (call) => {
      try {
        call();
        return { threw: false };
      } catch (error) {
        return {
          threw: true,
          isError: error instanceof Error,
          name: error && error.name,
          kind: error && error.kind,
          message: String(error && error.message),
        };
      }
    };
    const results = {};
    for (const [name, call] of Object.entries(calls)) results[name] = outcome(call);
    env.reset({ scenario: "connection-pool-exhaustion-v1", seed: 4 });
    for (const [name, call] of Object.entries(afterReset)) results[name] = outcome(call);
    // Still usable: a whole episode plays after all of that.
    const agent = new api.Agent("oracle", 4);
    let step;
    do step = env.step(agent.act(env)); while (!step.terminated && !step.truncated);
    results["step after the end"] = outcome(() => env.step({ action_type: "classify", parameters: { severity: "P1" } }));
    results["act after the end"] = outcome(() => agent.act(env));
    return { results, score: env.grade().score, history: env.state().history.length };
  });
  for (const [name, outcome] of Object.entries(outcomes.results)) {
    assert.ok(outcome.threw, `${name}: throws`);
    assert.ok(outcome.isError, `${name}: throws an Error (${outcome.message})`);
    assert.ok(outcome.message.length > 10 && !/unreachable|RuntimeError/.test(outcome.message), `${name}: a clear message, not a trap: ${outcome.message}`);
  }
  const message = (name) => outcomes.results[name].message;
  // Every error of the API is a FiredrillError with a kind (wasm-bindgen's
  // own check of `this` is not the API's).
  const kinds = {
    "step before reset": "reset_needed",
    "state before reset": "reset_needed",
    "grade before reset": "reset_needed",
    "query before reset": "reset_needed",
    "reset without options": "invalid_argument",
    "reset with an unknown option": "invalid_argument",
    "reset with scenario and task": "invalid_argument",
    "reset with an unknown task": "unknown_task",
    "reset with an unknown scenario": "unknown_scenario",
    "reset with a NaN seed": "invalid_argument",
    "reset with a huge BigInt seed": "invalid_argument",
    "reset with a throwing getter": "invalid_argument",
    "step with an unknown action_type": "invalid_action",
    "step with a bad severity": "invalid_action",
    "step with an unknown service": "invalid_action",
    "step with a long reasoning": "invalid_action",
    "step with a huge reasoning": "invalid_argument",
    "step with an unknown field": "invalid_argument",
    "query with a number": "invalid_argument",
    "queryRange with start after end": "query",
    "queryRange with a zero step": "query",
    "queryRange with too many points": "query",
    "queryRange without end": "invalid_argument",
    "export of an unknown kind": "invalid_argument",
    "loadScenario with a number": "invalid_argument",
    "loadScenario with bad TOML": "scenario",
    "Agent with an unknown name": "invalid_argument",
    "step after the end": "episode_over",
    "act after the end": "episode_over",
  };
  for (const [name, kind] of Object.entries(kinds)) {
    assert.equal(outcomes.results[name].kind, kind, `${name}: kind (${message(name)})`);
  }
  for (const [name, outcome] of Object.entries(outcomes.results)) {
    if (name === "step with the wrong this") continue;
    assert.equal(outcome.name, "FiredrillError", `${name}: the error's name`);
    assert.ok(outcome.kind, `${name}: has a kind (${outcome.message})`);
  }
  assert.match(message("step before reset"), /reset needed/);
  assert.match(message("reset with a NaN seed"), /seed must be an integer from 0 to 9007199254740991, got NaN/);
  assert.match(message("step with an unknown field"), /unknown field "colour"/);
  assert.match(message("step with a numeric parameter"), /parameters\.severity must be a string, got number/);
  assert.match(message("step with a huge reasoning"), /at most 8000 are accepted/);
  assert.match(message("step with a long reasoning"), /reasoning/);
  assert.match(message("queryRange with start after end"), /end timestamp must not be before start time/);
  assert.match(message("queryRange with too many points"), /11,000 points/);
  assert.match(message("loadScenario with bad TOML"), /scenario\.toml:\d+:\d+/);
  assert.match(message("reset with a throwing getter"), /reading seed failed/);
  assert.match(message("step after the end"), /episode over/);
  assert.ok(outcomes.score >= 0.9, `the oracle still plays the episode (score ${outcomes.score})`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("queries answer in the Prometheus API shape, errors included", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.waitForFunction(() => window.firedrill && typeof window.firedrill.Env === "function");
  const answers = await page.evaluate(() => {
    const env = new window.firedrill.Env();
    env.reset({ scenario: "connection-pool-exhaustion-v1", seed: 2 });
    const end = env.state().end_time;
    return {
      end,
      instant: env.query("sum by (service) (up)"),
      at: env.query("up", end - 600),
      range: env.queryRange("error_ratio", end - 1800, end, 60),
      parse: env.query("sum(rate(http_requests_total[5m])"),
      exposition: env.exposition().slice(0, 200),
      render: env.render().slice(0, 40),
      csv: env.export("csv").split("\n")[0],
    };
  });
  const dir = mkdtempSync(join(tmpdir(), "firedrill-query-"));
  const none = join(dir, "none.json");
  writeFileSync(none, "[]");
  const episode = ["--scenario", "connection-pool-exhaustion-v1", "--seed", "2", "--actions", none];
  const nativeInstant = nativeCli(["query", ...episode, "--", "sum by (service) (up)"]);
  const nativeRange = nativeCli(["query", ...episode, "--start", String(answers.end - 1800), "--end", String(answers.end), "--step", "60", "--", "error_ratio"]);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(answers.instant, nativeInstant, "the same answer as firedrill query");
  assert.deepEqual(answers.range, nativeRange, "the same range answer as firedrill query");
  assert.equal(answers.instant.status, "success");
  assert.equal(answers.instant.data.resultType, "vector");
  assert.equal(answers.at.data.result[0].value[0], answers.end - 600);
  assert.equal(answers.range.data.resultType, "matrix");
  assert.equal(answers.range.data.result[0].values.length, 31);
  assert.deepEqual(answers.parse, { status: "error", errorType: "bad_data", error: "1:4: parse error: unclosed left parenthesis" });
  assert.match(answers.exposition, /^# HELP /);
  assert.match(answers.render, /#/);
  assert.match(answers.csv, /^step,time,/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("the agent loop of docs/agents.md runs as written", async () => {
  const page = await openPage(session.browser);
  const logged = new Promise((resolve) => page.on("console", (m) => m.text().startsWith("mean score") && resolve(m.text())));
  await page.goto(`${session.url}docs-agent-example.html`);
  const line = await logged;
  const [, ours, heuristic] = line.match(/ours (\d\.\d{3}), heuristic (\d\.\d{3})$/);
  assert.ok(Number(ours) > 0 && Number(ours) <= 1, line);
  assert.ok(Number(heuristic) > 0 && Number(heuristic) <= 1, line);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("curriculum(), packs() and gradeCode() answer as the CLI's curriculum, packs and grade-code", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}agent.html`);
  const oracle = nativeCli(["run", "--scenario", "bad-deploy-v2", "--seed", "42", "--agent", "oracle", "--json"]);
  const toCode = (object) => "r1." + Buffer.from(JSON.stringify(object)).toString("base64url");
  const code = toCode({ name: "Ada", pack: "triage-101", drill: 2, scenario: "bad-deploy-v2", seed: 42, mode: "practice", score: 0.2, actions: oracle.actions });
  const wrongDrill = toCode({ name: "Ada", pack: "triage-101", drill: 1, scenario: "bad-deploy-v2", seed: 42, mode: "practice", actions: [] });
  const answers = await page.evaluate(async ({ code, wrongDrill }) => {
    const api = await import("/env/firedrill_env.js");
    await api.default();
    const refused = (call) => {
      try {
        call();
        return null;
      } catch (e) {
        return { name: e.name, kind: e.kind, message: e.message };
      }
    };
    return {
      curriculum: api.curriculum(),
      packs: api.packs(),
      graded: api.gradeCode(code),
      wrongDrill: refused(() => api.gradeCode(wrongDrill)),
      garbage: refused(() => api.gradeCode("r1.%%")),
    };
  }, { code, wrongDrill });
  assert.deepEqual(answers.curriculum, nativeCli(["curriculum", "--json"]));
  assert.deepEqual(answers.packs, nativeCli(["packs", "--json"]));
  assert.deepEqual(answers.graded, nativeCli(["grade-code", code]));
  assert.equal(answers.graded.score, oracle.score);
  assert.equal(answers.graded.score_edited, true, "the claimed 0.2 is not the replayed score");
  assert.equal(answers.wrongDrill.kind, "invalid_argument");
  assert.match(answers.wrongDrill.message, /drill 1 of pack "triage-101" is /);
  assert.match(answers.garbage.message, /position 3/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
