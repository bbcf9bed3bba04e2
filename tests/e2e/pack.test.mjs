// Workshops, the participant's side: a pack walked through (a pack file
// loaded like a custom scenario, and `?pack=` with a built-in pack), the
// result code of each drill graded by the CLI as the debrief showed it,
// progress that survives a reload, the pack summary (axe-clean, light and
// dark), hints that cost their price and injects answered through
// `communicate`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { useSession, openPage, screenshot, screenshotDir, screenshotOf, playAction, fillAction, axeViolations, nativeCli } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const session = useSession();
const scenarios = nativeCli(["list", "--json"]);
const handleOf = (id) => scenarios.find((s) => s.id === id).handle;
const oracle = (id, seed) => nativeCli(["run", "--scenario", id, "--seed", String(seed), "--agent", "oracle", "--json"]).actions;

const packFile = `id = "e2e-two"
title = "Two drills for the test"
summary = "A severity drill in practice, then a full incident with messages as an exam."
objectives = ["Classify by impact.", "Answer the messages that arrive."]

[[drills]]
scenario = "bad-deploy-v2"
seed = 42
mode = "practice"
minutes = 5
note = "P2: a third of hotels cannot be booked."

[[drills]]
scenario = "cache-stampede-v2"
seed = 3
mode = "exam"
minutes = 10
note = "The national summary key expires and every reader recomputes it."
`;

const scoreShown = async (page) => (await page.getByTestId("grade-score").innerText()).trim();
const position = async (page) => (await page.getByTestId("pack-position").innerText()).trim();

test("a two-drill pack file: each drill's code grades as shown, progress survives reloads, the summary adds up", async () => {
  const page = await openPage(session.browser, { width: 1440, height: 1000 });
  await page.goto(session.url);
  await page.getByTestId("scenario-list").waitFor();
  await page.getByTestId("custom-scenario-file").setInputFiles({
    name: "two.toml",
    mimeType: "text/plain",
    buffer: Buffer.from(packFile),
  });
  const panel = page.getByTestId("pack-progress");
  await panel.waitFor();
  assert.match(await panel.innerText(), /Two drills for the test/);
  assert.match(await position(page), /^Drill 1 of 2/);
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await page.getByTestId("drill-handle").innerText(), handleOf("bad-deploy-v2"));
  assert.deepEqual(
    await panel.getByTestId("pack-drill").evaluateAll((items) => items.map((i) => i.dataset.state)),
    ["current", "todo"],
  );

  // Drill 1 (practice): its hint button is there.
  await page.getByTestId("hint-button").waitFor();
  for (const action of oracle("bad-deploy-v2", 42)) await playAction(page, action);
  await page.getByTestId("grade-score").waitFor();
  const shown1 = await scoreShown(page);
  // No name yet: the code asks for one first.
  await page.getByTestId("result-code-name").fill("Ada Lovelace");
  await page.getByTestId("result-code-name-save").click();
  const code1 = await page.getByTestId("result-code").inputValue();
  assert.match(code1, /^r1\./);
  const graded1 = nativeCli(["grade-code", code1]);
  assert.equal(graded1.score.toFixed(4), shown1, "the CLI grades the code as the debrief showed it");
  assert.equal(graded1.name, "Ada Lovelace");
  assert.equal(graded1.pack, "e2e-two");
  assert.equal(graded1.drill, 1);
  assert.equal(graded1.score_edited, false);
  // The QR code of the code, on demand.
  await page.getByTestId("result-code-qr-toggle").click();
  await page.locator("[data-testid=result-code-qr] svg").waitFor();
  await screenshotOf(page.locator("section.result-code"), "pack-result-code");
  assert.deepEqual(await axeViolations(page), [], "debrief with the result code and its QR code");
  assert.equal(await page.getByTestId("result-code-qr-toggle").getAttribute("aria-expanded"), "true");
  assert.match(await panel.getByTestId("pack-drill").first().innerText(), new RegExp(`done: ${Number(shown1).toFixed(2)}`));

  // A reload resumes the pack (a pack file has no URL): drill 1 done, next offered.
  await page.reload();
  await panel.waitFor();
  await page.getByTestId("pack-next").waitFor();
  assert.deepEqual(
    await panel.getByTestId("pack-drill").evaluateAll((items) => items.map((i) => i.dataset.state)),
    ["done", "todo"],
  );
  // The debrief offers the next drill too.
  await page.getByTestId("debrief-pack-next").waitFor();
  await page.getByTestId("pack-next").click();
  await page.getByTestId("action-submit").waitFor();
  assert.match(await position(page), /^Drill 2 of 2/);
  assert.equal(await page.getByTestId("drill-handle").innerText(), handleOf("cache-stampede-v2"));
  // Drill 2 is an exam: the pack sets the mode; no hints.
  await page.getByTestId("exam-badge").waitFor();
  assert.equal(await page.getByTestId("hint-button").count(), 0);

  const actions2 = oracle("cache-stampede-v2", 3);
  for (const action of actions2.slice(0, 3)) await playAction(page, action);
  await page.reload();
  await page.getByTestId("action-submit").waitFor();
  assert.match(await page.getByTestId("step-counter").innerText(), /^3\//, "the drill in progress reopens");
  assert.match(await position(page), /^Drill 2 of 2/);
  // The executive's message arrived after step 2 and waits for a reply.
  const inject = page.getByTestId("inject").first();
  assert.match(await inject.innerText(), /An executive/);
  assert.match(await inject.innerText(), /reply by step \d+/);
  assert.match(await inject.getByTestId("inject-status").innerText(), /waiting for a reply/);
  await inject.getByTestId("inject-reply").click();
  assert.equal(await page.getByTestId("action-type").inputValue(), "communicate");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "action-param-message");
  await screenshotOf(page.getByTestId("injects"), "pack-inject-exam");
  assert.deepEqual(await axeViolations(page), [], "an exam drill of the pack with a message waiting");
  for (const action of actions2.slice(3)) await playAction(page, action);
  await page.getByTestId("grade-score").waitFor();
  const shown2 = await scoreShown(page);
  const code2 = await page.getByTestId("result-code").inputValue();
  const graded2 = nativeCli(["grade-code", code2]);
  await page.getByTestId("debrief-pack-summary").waitFor();
  assert.equal(graded2.score.toFixed(4), shown2);
  assert.equal(graded2.drill, 2);
  assert.equal(graded2.mode, "exam");

  // The summary: a row per drill, the codes, and it is still there after a reload.
  await page.reload();
  const summary = page.getByTestId("pack-summary");
  await summary.waitFor();
  assert.match(await position(page), /All 2 drills played/);
  assert.deepEqual(await summary.getByTestId("pack-summary-score").allInnerTexts(), [
    Number(shown1).toFixed(2),
    Number(shown2).toFixed(2),
  ]);
  assert.equal(
    (await summary.getByTestId("pack-summary-total").innerText()).trim(),
    `${(Number(shown1) + Number(shown2)).toFixed(2)} of 2`,
  );
  assert.match(await summary.innerText(), /communication/i);
  assert.deepEqual((await summary.getByTestId("pack-codes").inputValue()).split("\n"), [code1, code2]);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("firedrill.pack-progress")));
  assert.equal(stored.version, 1);
  assert.deepEqual(Object.keys(stored.data.packs["e2e-two"].drills), ["1", "2"]);

  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await axeViolations(page), [], `pack summary and progress (${colorScheme})`);
    await summary.scrollIntoViewIfNeeded();
    await screenshotOf(summary, `pack-summary-1440-${colorScheme}`);
    await screenshotOf(panel, `pack-progress-1440-${colorScheme}`);
  }
  await screenshot(page, "pack-summary-page-1440");
  await page.setViewportSize({ width: 1920, height: 1080 });
  await summary.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${screenshotDir}/pack-summary-1920x1080.png` });

  // Leaving keeps the results; the panel goes.
  await page.getByTestId("pack-leave").click();
  assert.equal(await page.getByTestId("pack-progress").count(), 0);
  await page.reload();
  await page.getByTestId("scenario-list").waitFor();
  assert.equal(await page.getByTestId("pack-progress").count(), 0);
  assert.deepEqual(page.problems, []);
});

test("?pack= walks through a built-in pack; an unknown id lists the built-in ones", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?pack=no-such-pack`);
  const notice = page.getByTestId("pack-notice");
  await notice.waitFor();
  assert.deepEqual(await axeViolations(page), [], "the unknown pack notice");
  const packs = nativeCli(["packs", "--json"]);
  for (const pack of packs) assert.match(await notice.innerText(), new RegExp(pack.id));

  const pack = packs.find((p) => p.id === "triage-101");
  await page.goto(`${session.url}?pack=triage-101`);
  await page.getByTestId("action-submit").waitFor();
  assert.match(await position(page), new RegExp(`^Drill 1 of ${pack.drills.length}`));
  assert.equal(await page.getByTestId("drill-handle").innerText(), handleOf(pack.drills[0].scenario));
  await playAction(page, { action_type: "classify", parameters: { severity: "P1" } });
  await page.getByTestId("grade-score").waitFor();
  await page.getByTestId("result-code-name").fill("Grace");
  await page.getByTestId("result-code-name-save").click();
  const graded = nativeCli(["grade-code", await page.getByTestId("result-code").inputValue()]);
  assert.equal(graded.pack, "triage-101");
  assert.equal(graded.drill, 1);
  assert.equal(graded.score.toFixed(4), await scoreShown(page));
  await page.getByTestId("pack-note").waitFor();
  await page.getByTestId("pack-next").click();
  await page.getByTestId("action-submit").waitFor();
  assert.match(await position(page), new RegExp(`^Drill 2 of ${pack.drills.length}`));
  assert.equal(await page.getByTestId("drill-handle").innerText(), handleOf(pack.drills[1].scenario));
  // The same URL, reloaded, resumes the drill.
  await playAction(page, { action_type: "investigate", target: "rate-engine" });
  await page.reload();
  await page.getByTestId("action-submit").waitFor();
  assert.match(await page.getByTestId("step-counter").innerText(), /^1\//);
  assert.match(await position(page), /^Drill 2 of/);
  await page.getByTestId("pack-leave").click();
  assert.ok(!page.url().includes("pack="), page.url());
  assert.deepEqual(page.problems, []);
});

test("a hint takes its cost off the practice score; exam mode has no hint button", async () => {
  let page;
  const play = async (withHint) => {
    page = await openPage(session.browser); // a fresh browser: no saved episode to reopen
    await page.goto(`${session.url}?scenario=bad-deploy-v2&seed=42&mode=practice`);
    await page.getByTestId("action-submit").waitFor();
    let cost = 0;
    if (withHint) {
      const button = page.getByTestId("hint-button");
      cost = Number((await button.innerText()).match(/−([\d.]+)/)[1]);
      await button.click();
      await page.getByTestId("hint").first().waitFor();
      await screenshotOf(page.locator("section.hints"), "pack-hint");
      assert.deepEqual(await axeViolations(page), [], "a revealed hint");
      assert.equal(await page.getByTestId("hint").count(), 1);
    }
    await playAction(page, { action_type: "classify", parameters: { severity: "P3" } });
    await page.getByTestId("grade-score").waitFor();
    return { score: Number(await scoreShown(page)), cost };
  };
  const without = await play(false);
  const hinted = await play(true);
  assert.ok(hinted.cost > 0);
  const expected = Math.min(hinted.cost, without.score);
  assert.ok(Math.abs(without.score - hinted.score - expected) < 1e-4, `${without.score} − ${hinted.score} ≠ ${expected}`);

  page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=bad-deploy-v2&seed=42&mode=exam`);
  await page.getByTestId("action-submit").waitFor();
  await page.getByTestId("exam-badge").waitFor();
  assert.equal(await page.getByTestId("hint-button").count(), 0);
  // A scenario with no hints says so.
  const plain = scenarios.find(
    (s) => s.task === "severity_classification" && !readFileSync(resolve(here, `../../scenarios/${s.id}.toml`), "utf8").includes("[[hints]]"),
  );
  assert.ok(plain, "a severity scenario without hints");
  {
    await page.goto(`${session.url}?scenario=${plain.id}&seed=1&mode=practice`);
    await page.getByTestId("action-submit").waitFor();
    assert.equal(await page.getByTestId("hint-button").isDisabled(), true);
    assert.match(await page.getByTestId("hint-reason").innerText(), /no hints/);
  }
  assert.deepEqual(page.problems, []);
});

test("an inject answered through communicate raises the communication score", async () => {
  let page;
  const actions = oracle("cache-stampede-v2", 3);
  const communication = async (answer) => {
    page = await openPage(session.browser, { width: 1280, height: 1000 });
    await page.goto(`${session.url}?scenario=cache-stampede-v2&seed=3&mode=practice`);
    await page.getByTestId("action-submit").waitFor();
    for (const action of actions) {
      if (action.action_type === "communicate" && !answer) {
        await playAction(page, { action_type: "investigate", target: "news-edge" });
      } else if (action.action_type === "communicate" && (await page.getByTestId("inject-reply").count()) > 0) {
        await page.getByTestId("inject-reply").first().click();
        await fillAction(page, action);
        const counter = await page.getByTestId("step-counter").innerText();
        await page.getByTestId("action-submit").click();
        await page.waitForFunction((c) => document.querySelector("[data-testid=step-counter]")?.textContent !== c, counter);
      } else {
        await playAction(page, action);
      }
    }
    await page.getByTestId("grade-score").waitFor();
    const statuses = await page.getByTestId("inject-status").allInnerTexts();
    const score = Number(await page.locator("[data-dimension=communication] .dimension-score").innerText());
    return { statuses, score };
  };
  const answered = await communication(true);
  const unanswered = await communication(false);
  assert.ok(answered.statuses.every((s) => /answered at step \d+/.test(s)), answered.statuses.join("; "));
  assert.ok(unanswered.statuses.every((s) => /went unanswered|waiting/.test(s)), unanswered.statuses.join("; "));
  assert.ok(answered.score > unanswered.score, `communication ${answered.score} ≤ ${unanswered.score}`);
  assert.deepEqual(page.problems, []);
});

test("a pack file with an error is refused with line and column, as a scenario file is", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("scenario-list").waitFor();
  const broken = packFile.replace('scenario = "bad-deploy-v2"', 'scenario = "no-such-scenario"');
  await page.getByTestId("custom-scenario-file").setInputFiles({
    name: "broken.toml",
    mimeType: "text/plain",
    buffer: Buffer.from(broken),
  });
  const errors = page.getByTestId("custom-scenario-errors");
  await errors.waitFor();
  assert.match(await errors.innerText(), /^broken\.toml:7:\d+: drills\[0\]\.scenario: unknown scenario "no-such-scenario"/m);
  assert.equal(await page.getByTestId("pack-progress").count(), 0);
  assert.deepEqual(page.problems, []);
});
