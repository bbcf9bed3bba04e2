// Embedding: the app on one 127.0.0.1 port inside host pages on others.
// A host drives a whole episode by postMessage and gets the native grade;
// a third origin's messages get no reply and change nothing; embed.js
// inserts a working iframe; the example docs page drives its drill.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useSession, openPage, nativeCli, serveStatic, screenshot } from "./harness.mjs";

const session = useSession();
const SCENARIO = "connection-pool-exhaustion-v1";
let host;
let intruder;

/** A host page script: `send(message)` resolves to the reply with its id; every message is in `received`. */
const hostScript = (appOrigin) => `
  window.received = [];
  const waiting = {};
  let next = 0;
  window.addEventListener("message", (event) => {
    window.received.push({ origin: event.origin, data: event.data });
    const data = event.data;
    if (data && data.id !== undefined && waiting[data.id]) { waiting[data.id](data); delete waiting[data.id]; }
  });
  window.send = (message, timeout = 10000) => new Promise((resolve, reject) => {
    const id = message.id !== undefined ? message.id : "m" + (++next);
    waiting[id] = resolve;
    document.getElementById("drill").contentWindow.postMessage({ ...message, id }, ${JSON.stringify(appOrigin)});
    setTimeout(() => reject(new Error("no reply to " + JSON.stringify(message).slice(0, 80))), timeout);
  });
  window.ready = new Promise((resolve) => {
    const check = () => window.received.some((m) => m.data && m.data.type === "ready") ? resolve() : setTimeout(check, 50);
    check();
  });`;

before(async () => {
  // The intruder: another origin, framed by the host, that messages the drill frame.
  intruder = await serveStatic(null, {
    "/intruder.html": `<!doctype html><link rel="icon" href="data:,"><title>intruder</title><script>
      window.replies = [];
      window.addEventListener("message", (event) => window.replies.push(event.data));
      window.attack = (target) => {
        const drill = window.parent.frames[target];
        drill.postMessage({ type: "step", id: "evil-step", action: { action_type: "classify", parameters: { severity: "P4" } } }, "*");
        drill.postMessage({ type: "reset", id: "evil-reset", seed: 99 }, "*");
        drill.postMessage({ type: "state", id: "evil-state" }, "*");
        drill.postMessage("not even an object", "*");
      };
    </script>`,
  });
  host = await serveStatic(null, {});
});

after(async () => {
  await host?.close();
  await intruder?.close();
});

/** Serves one host page on the host origin and opens it. */
async function openHost(path, html) {
  host.pages[path] = html.replace("<title>", '<link rel="icon" href="data:,"><title>');
  const page = await openPage(session.browser, { width: 1100, height: 900 });
  await page.goto(`${host.url}${path.slice(1)}`);
  return page;
}

test("a host page on another origin drives a whole episode by postMessage", async () => {
  const app = session.server.origin;
  const src = `${session.url}index.html?embed=1&scenario=${SCENARIO}&seed=5&parent=${encodeURIComponent(host.origin)}`;
  const page = await openHost("/host.html", `<!doctype html><title>host</title>
    <iframe id="drill" name="drill" src="${src}" style="width:100%;height:800px"></iframe>
    <iframe id="intruder" name="intruder" src="${intruder.url}intruder.html"></iframe>
    <script>${hostScript(app)}</script>`);
  await page.evaluate(() => window.ready);
  const ready = await page.evaluate(() => window.received.find((m) => m.data.type === "ready"));
  assert.equal(ready.origin, app);
  assert.equal(ready.data.scenario, SCENARIO);
  assert.match(ready.data.handle, /^[A-Z0-9]{6}$/, "ready carries the public handle");
  assert.notEqual(ready.data.handle, SCENARIO);
  assert.equal(ready.data.task, nativeCli(["run", "--scenario", SCENARIO, "--seed", "5", "--json"]).task);

  const oracle = nativeCli(["run", "--scenario", SCENARIO, "--seed", "5", "--agent", "oracle", "--json"]);
  const result = await page.evaluate(async ({ actions }) => {
    const replies = [];
    replies.push(await window.send({ type: "reset", scenario: "connection-pool-exhaustion-v1", seed: 5 }));
    // A refused action uses no step.
    replies.push(await window.send({ type: "step", action: { action_type: "dance" } }));
    for (const [i, action] of actions.entries()) {
      // Both shapes: { action } and the action's fields beside type.
      replies.push(await window.send(i % 2 ? { type: "step", action } : { type: "step", ...action }));
    }
    replies.push(await window.send({ type: "grade" }));
    replies.push(await window.send({ type: "state" }));
    replies.push(await window.send({ type: "query", expr: "sum(up)" }));
    const end = replies[replies.length - 2].state.end_time;
    replies.push(await window.send({ type: "query_range", expr: "error_ratio", start: end - 600, end, step: 60 }));
    replies.push(await window.send({ type: "query", expr: "sum(up" }));
    replies.push(await window.send({ type: "teleport" }));
    replies.push(await window.send({ type: "step", action: { action_type: "classify", parameters: { severity: "P1" } } }));
    replies.push(await window.send({ type: "query_range", expr: "up", start: 10, end: 5, step: 1 }));
    replies.push(await window.send({ type: "query", expr: 42 }));
    replies.push(await window.send({ type: "reset", task: "juggling" }));
    replies.push(await window.send({ type: "reset", scenario: "no-such-scenario" }));
    replies.push(await window.send({ type: "reset", seed: -1 }));
    await new Promise((r) => setTimeout(r, 300));
    // A step event has no observation (the reply to a step request has).
    const event = (data) => data && data.type === "step" && !("observation" in data) ? data : null;
    return {
      replies,
      received: window.received.map((m) => ({ origin: m.origin, type: m.data && m.data.type, event: event(m.data) })),
    };
  }, { actions: oracle.actions });

  const [reset, refusedFirst, ...rest] = result.replies;
  assert.equal(refusedFirst.type, "error");
  assert.equal(refusedFirst.request, "step");
  assert.equal(refusedFirst.kind, "invalid_action");
  assert.match(refusedFirst.detail, /action_type/);
  const steps = rest.slice(0, oracle.actions.length);
  const [grade, state, instant, range, parseError, unknown, refused, badRange, badExpr, badTask, badScenario, badSeed] =
    rest.slice(oracle.actions.length);
  assert.equal(reset.type, "reset");
  assert.equal(reset.observation.scenario, SCENARIO);
  assert.equal(reset.observation.step, 0);
  assert.ok(steps.every((s) => s.type === "step" && typeof s.reward === "number"));
  assert.ok(steps.at(-1).terminated || steps.at(-1).truncated);
  assert.equal(grade.type, "grade");
  assert.equal(grade.grade.score, oracle.score, "the grade by messages equals the native CLI's");
  assert.equal(state.state.history.length, oracle.actions.length);
  assert.equal(instant.status, "success");
  assert.equal(instant.type, "query");
  assert.equal(range.data.resultType, "matrix");
  assert.equal(parseError.status, "error");
  assert.match(parseError.error, /^1:4: parse error/);
  assert.equal(unknown.type, "error");
  assert.equal(unknown.request, "teleport");
  assert.match(unknown.detail, /supported: reset, step, state, grade, query, query_range/);
  assert.equal(unknown.kind, "invalid_argument");
  assert.equal(refused.type, "error");
  assert.match(refused.detail, /episode over/);
  assert.equal(refused.kind, "episode_over");
  assert.equal(badRange.type, "error");
  assert.equal(badRange.kind, "query");
  assert.match(badRange.detail, /end timestamp must not be before start time/);
  // Every error reply: { type: "error", id, request, kind, detail }, with the kind of the JS API's errors.
  const kinds = [badExpr, badTask, badScenario, badSeed].map((r) => [r.type, r.request, r.kind]);
  assert.deepEqual(kinds, [
    ["error", "query", "invalid_argument"],
    ["error", "reset", "unknown_task"],
    ["error", "reset", "unknown_scenario"],
    ["error", "reset", "invalid_argument"],
  ]);
  assert.match(badExpr.detail, /the expression must be a string, got number/);
  assert.match(badTask.detail, /unknown task "juggling"/);
  assert.ok(result.received.every((m) => m.origin === app || m.type === undefined));
  const ends = result.received.filter((m) => m.type === "episode_end");
  assert.equal(ends.length, 1, "episode_end announced once");
  // A step event after every step, in order, with the reward (practice mode).
  const events = result.received.filter((m) => m.event).map((m) => m.event);
  assert.deepEqual(events.map((e) => e.step), oracle.actions.map((_, i) => i + 1));
  for (const event of events) {
    assert.deepEqual(Object.keys(event).sort(), ["reward", "status", "step", "terminated", "truncated", "type"]);
  }
  assert.equal(events.at(-1).terminated, true);

  // The page shows the episode the messages played.
  const frame = page.frameLocator("#drill");
  await assert.doesNotReject(frame.getByTestId("debrief").waitFor());
  await screenshot(page, "embed-driven-by-messages");

  // A third origin's messages get no reply and change nothing.
  const before = await page.evaluate(() => window.send({ type: "state" }));
  await page.frame({ name: "intruder" }).evaluate(() => window.attack("drill"));
  await page.waitForTimeout(1000);
  const replies = await page.frame({ name: "intruder" }).evaluate(() => window.replies);
  assert.deepEqual(replies, [], "no reply to the intruder");
  const afterAttack = await page.evaluate(() => window.send({ type: "state" }));
  assert.deepEqual(afterAttack.state.history, before.state.history);
  assert.equal(afterAttack.state.seed, 5);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a bad seed in the URL is reported as in the full app, and seed 1 played", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}index.html?embed=1&scenario=${SCENARIO}&seed=-1`);
  const notice = page.getByTestId("app-error");
  await notice.waitFor();
  assert.match(await notice.innerText(), /seed "-1" in the URL is not an integer from 0 to 9007199254740991; seed 1 is played/);
  await page.getByTestId("step-counter").waitFor();
  const link = await page.getByTestId("embed-open-full").getAttribute("href");
  const handle = nativeCli(["list", "--json"]).find((s) => s.id === SCENARIO).handle;
  assert.match(link, new RegExp(`\\?drill=${handle}&seed=1$`));
  // (The core-only module loads after the drill: let it finish before leaving.)
  await page.waitForFunction(() => window.firedrill);
  // Every problem of the URL is reported, not only the first.
  await page.goto(`${session.url}index.html?embed=1&scenario=no-such-thing&seed=abc`);
  await page.getByTestId("app-error").filter({ hasText: "no-such-thing" }).waitFor();
  const text = await page.getByTestId("app-error").innerText();
  assert.match(text, /seed "abc" in the URL is not an integer/);
  assert.match(text, /unknown scenario "no-such-thing"/);
  await page.waitForFunction(() => window.firedrill);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a person playing the embedded drill announces episode_end to the host", async () => {
  const src = `${session.url}index.html?embed=1&task=severity_classification&seed=2&parent=${encodeURIComponent(host.origin)}`;
  const page = await openHost("/person.html", `<!doctype html><title>host</title>
    <iframe id="drill" src="${src}" style="width:100%;height:900px"></iframe>
    <script>${hostScript(session.server.origin)}</script>`);
  await page.evaluate(() => window.ready);
  const frame = page.frameLocator("#drill");
  await frame.getByTestId("action-type").selectOption("classify");
  await frame.getByTestId("action-param-severity").selectOption("P2");
  await frame.getByTestId("action-submit").click();
  await page.waitForFunction(() => window.received.some((m) => m.data.type === "episode_end"));
  const end = await page.evaluate(() => window.received.find((m) => m.data.type === "episode_end").data);
  const step = await page.evaluate(() => window.received.find((m) => m.data.type === "step" && !("observation" in m.data)).data);
  assert.deepEqual(
    { step: step.step, terminated: step.terminated, truncated: step.truncated },
    { step: 1, terminated: true, truncated: false },
    "the person's step is announced",
  );
  assert.ok(end.grade.score >= 0 && end.grade.score <= 1);
  assert.ok(Array.isArray(end.grade.dimensions));
  // Nothing of the embedded drill lands in the app's own storage.
  const stored = await frame.locator("body").evaluate(() => Object.keys(localStorage));
  assert.deepEqual(stored, []);
  await page.context().close();
});

test("the drill ignores every message when parent is missing or not an origin", async () => {
  for (const parent of ["", "&parent=*", `&parent=${encodeURIComponent(host.origin + "/docs")}`]) {
    const src = `${session.url}index.html?embed=1&scenario=${SCENARIO}&seed=1${parent}`;
    const page = await openHost("/noparent.html", `<!doctype html><title>host</title>
      <iframe id="drill" src="${src}" style="width:100%;height:600px"></iframe>
      <script>${hostScript(session.server.origin)}</script>`);
    const frame = page.frameLocator("#drill");
    await frame.getByTestId("embed").waitFor();
    await assert.rejects(page.evaluate(() => window.send({ type: "state" }, 1500)), /no reply/);
    if (parent) await frame.getByTestId("app-error").filter({ hasText: "not an origin" }).waitFor();
    await page.context().close();
  }
});

test("embed.js inserts a working iframe with the page's origin as parent", async () => {
  const page = await openHost("/docs.html", `<!doctype html><title>docs</title>
    <h1>Docs</h1>
    <script src="${session.url}embed.js" data-scenario="${SCENARIO}" data-seed="3" data-height="500" data-id="fixed"></script>
    <script src="${session.url}embed.js" data-task="root_cause_analysis" data-seed="4" data-height="auto" data-id="auto"></script>`);
  const fixed = page.locator("iframe#fixed");
  const src = new URL(await fixed.getAttribute("src"));
  assert.equal(src.origin, session.server.origin);
  assert.equal(src.searchParams.get("embed"), "1");
  assert.equal(src.searchParams.get("scenario"), SCENARIO);
  assert.equal(src.searchParams.get("seed"), "3");
  assert.equal(src.searchParams.get("parent"), host.origin);
  assert.equal(await fixed.evaluate((f) => f.style.height), "500px");
  assert.match(await fixed.getAttribute("title"), /Firedrill/);
  const state = await page.evaluate(() => document.getElementById("fixed").firedrill.send({ type: "state" }));
  assert.equal(state.state.scenario, SCENARIO);
  assert.equal(state.state.seed, 3);
  const step = await page.evaluate(() =>
    document.getElementById("fixed").firedrill.send({ type: "step", action: { action_type: "classify", parameters: { severity: "P1" } } }),
  );
  assert.equal(step.observation.step, 1);
  const refused = await page.evaluate(() =>
    document.getElementById("fixed").firedrill.send({ type: "step", action: { action_type: "classify" } }).catch((e) => e.message),
  );
  assert.match(refused, /severity/);
  // data-height="auto" follows the drill's content.
  await page.waitForFunction(() => parseInt(document.getElementById("auto").style.height, 10) > 700);
  const task = await page.evaluate(() => document.getElementById("auto").firedrill.send({ type: "state" }));
  assert.equal(task.state.task, "root_cause_analysis");
  await screenshot(page, "embed-script");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("the example docs page embeds two drills and drives one by messages", async () => {
  const page = await openPage(session.browser, { width: 1100, height: 900 });
  await page.goto(`${session.url}embed-example.html`);
  await page.waitForFunction(() => document.querySelectorAll("iframe.firedrill-embed").length === 2);
  await page.evaluate(() => document.getElementById("drill-driven").firedrill.ready);
  await page.click("#drive");
  await page.locator("#log li", { hasText: "grade →" }).waitFor();
  const log = await page.locator("#log").innerText();
  assert.match(log, /reset → /);
  assert.match(log, /query ALERTS → firing on /);
  assert.match(log, /step classify P\d → terminated true/);
  assert.match(log, /episode_end → score /);
  assert.match(log, /event step 1 → /, "the driven drill's step events reach the page");
  // The reader's own drill: its progress panel follows the step events.
  await page.locator("#progress-summary", { hasText: "is ready" }).waitFor();
  const manual = page.frameLocator("#drill-manual");
  await manual.getByTestId("action-type").selectOption("classify");
  await manual.getByTestId("action-param-severity").selectOption("P1");
  await manual.getByTestId("action-submit").click();
  await page.getByTestId("progress-step").first().waitFor();
  assert.match(await page.locator("#progress-summary").innerText(), /^Step 1 of 20 · incident /);
  assert.match(await page.getByTestId("progress-step").first().innerText(), /^Step 1: \w+ \(reward -?\d\.\d{3}\)$/);
  await screenshot(page, "embed-example");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
