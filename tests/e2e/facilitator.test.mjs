// The facilitator's view (?facilitate=1): a pack chosen, the room's link
// and QR code, a round's countdown and the answers revealed, and a board
// that replays every pasted result code in the page: the CLI's grades for
// real codes, the replayed (never the claimed) score for an edited one, an
// altered action list graded as the episode it plays; a heat map cell per
// participant and dimension, the CSV with the same numbers, the debrief
// slide; the board kept across a reload; axe clean, light and dark;
// screenshots at 1440 × 900 and 1920 × 1080.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useSession, openPage, screenshot, screenshotOf, axeViolations, nativeCli, playAction } from "./harness.mjs";

const session = useSession();
const pack = nativeCli(["packs", "--json"]).find((p) => p.id === "data-stores");
const drill = pack.drills[0];

/** A result code as the participant's page writes it: "r1." + base64url of its JSON. */
const encode = (code) => "r1." + Buffer.from(JSON.stringify(code)).toString("base64url");
const run = (agent) =>
  nativeCli(["run", "--scenario", drill.scenario, "--seed", String(drill.seed), "--agent", agent, "--json"]);
const codeOf = (name, played, claimed, actions = played.actions) =>
  encode({
    name,
    pack: pack.id,
    drill: 1,
    scenario: drill.scenario,
    seed: drill.seed,
    mode: drill.mode,
    score: claimed,
    actions,
  });

test("the facilitator's board replays pasted codes, maps the class and exports the same numbers", async () => {
  const oracle = run("oracle");
  const heuristic = run("heuristic");
  // The altered list: Ada's actions with a wrong severity and without the last.
  const altered = oracle.actions
    .map((a) => (a.action_type === "classify" ? { ...a, parameters: { severity: "P4" } } : a))
    .slice(0, -1);
  const codes = {
    Ada: codeOf("Ada", oracle, oracle.score),
    Bob: codeOf("Bob", heuristic, heuristic.score),
    Cy: codeOf("Cy", heuristic, 0.97),
    Dee: codeOf("Dee", oracle, oracle.score, altered),
  };
  const cli = Object.fromEntries(Object.entries(codes).map(([name, code]) => [name, nativeCli(["grade-code", code])]));
  assert.equal(cli.Ada.score, oracle.score);
  assert.equal(cli.Cy.score, heuristic.score);
  assert.equal(cli.Cy.score_edited, true);
  assert.notEqual(cli.Dee.score, oracle.score);

  const page = await openPage(session.browser, { width: 1440, height: 900 });
  await page.goto(`${session.url}?facilitate=1`);
  await page.locator(`[data-testid=pack-choice][data-pack=${pack.id}]`).click();
  await page.getByTestId("pack-details").waitFor();
  const minutes = pack.drills.reduce((sum, d) => sum + d.minutes, 0);
  assert.match(await page.getByTestId("pack-minutes").innerText(), new RegExp(`${minutes} minutes`));

  // The room's link: the page with ?pack=<id>, no facilitate; its QR code.
  const link = await page.getByTestId("participants-link").innerText();
  assert.equal(link, `${session.url}?pack=${pack.id}`);
  assert.equal(await page.getByTestId("room-qr").locator("svg[role=img]").count(), 1);
  // Opened on 127.0.0.1, the view says the room cannot open that link.
  assert.match(await page.getByTestId("local-link-note").innerText(), /uses 127\.0\.0\.1, which only this computer can open/);

  // A round: the countdown runs, pauses, takes a minute more; the answers
  // are revealed after it.
  const timer = page.getByTestId("round-timer");
  assert.equal(await timer.getAttribute("role"), "timer");
  assert.equal(await timer.innerText(), `${String(drill.minutes).padStart(2, "0")}:00`);
  await page.getByTestId("round-start").click();
  // Read aloud at minute marks only (the timer itself is not live).
  const announcement = page.getByTestId("round-announcement");
  assert.equal(await announcement.getAttribute("aria-live"), "polite");
  assert.equal(await announcement.innerText(), `${drill.minutes} minutes left.`);
  const seconds = async () => {
    const [m, s] = (await timer.innerText()).split(":").map(Number);
    return m * 60 + s;
  };
  await page.waitForTimeout(2300);
  const running = await seconds();
  assert.ok(running <= drill.minutes * 60 - 2 && running >= drill.minutes * 60 - 4, `timer at ${running}s`);
  await page.getByTestId("round-pause").click();
  const paused = await seconds();
  await page.waitForTimeout(1200);
  assert.equal(await seconds(), paused);
  await page.getByTestId("round-add-minute").click();
  assert.equal(await seconds(), paused + 60);
  assert.equal(await page.getByTestId("round-answers").count(), 0);
  await page.getByTestId("round-end").click();
  await page.getByTestId("reveal-answers").click();
  const answers = page.getByTestId("round-answers");
  await answers.waitFor();
  assert.match(await answers.getByTestId("answer-cause").innerText(), /\S/);
  assert.ok((await answers.getByTestId("answer-ideal-path").locator("li").count()) >= 3);
  assert.equal(await answers.getByTestId("round-note").innerText(), drill.note);

  // The board: four codes and one that is not one, pasted in a chat log.
  const pasted = `Ada: ${codes.Ada}\nBob said ${codes.Bob}, ${codes.Cy}\n${codes.Dee} r1.broken`;
  await page.getByTestId("facilitator-codes-input").fill(pasted);
  await page.getByTestId("facilitator-add-codes").click();
  const board = page.getByTestId("facilitator-board");
  const rows = board.getByTestId("board-row");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=board-row]").length === 4);
  assert.match(await page.getByTestId("board-message").innerText(), /5 codes/);
  const row = (name) => board.locator(`[data-testid=board-row][data-participant="${name}"]`);
  for (const name of Object.keys(codes)) {
    assert.equal(Number(await row(name).getAttribute("data-score")), cli[name].score, name);
    assert.equal(await row(name).getByTestId("board-score").innerText(), cli[name].score.toFixed(4), name);
    assert.equal(Number(await row(name).getByTestId("board-steps").innerText()), cli[name].steps, name);
  }
  assert.equal(await row("Ada").getByTestId("claimed-ignored").count(), 0);
  assert.equal(await row("Bob").getByTestId("claimed-ignored").count(), 0);
  assert.equal(await row("Cy").getByTestId("claimed-ignored").innerText(), "⚠ claimed 0.97 — ignored");
  assert.equal(await row("Dee").getByTestId("claimed-ignored").count(), 1);
  assert.match(await board.getByTestId("board-failed").innerText(), /r1\.broken.*does not hold a drill/s);

  // The heat map: a cell per participant and dimension, the replayed numbers.
  const heatmap = board.getByTestId("class-heatmap");
  const dimensions = cli.Ada.dimensions.map((d) => d.name);
  assert.equal(await heatmap.getByTestId("heatmap-cell").count(), 4 * dimensions.length);
  for (const [name, grade] of Object.entries(cli)) {
    for (const d of grade.dimensions) {
      const cell = heatmap.locator(`[data-testid=heatmap-cell][data-participant="${name}"][data-dimension=${d.name}]`);
      assert.equal(Number(await cell.getAttribute("data-score")), d.score, `${name} ${d.name}`);
      assert.equal(await cell.innerText(), d.score.toFixed(2), `${name} ${d.name}`);
    }
  }
  assert.match(await heatmap.locator("tfoot").innerText(), /weakest/);
  // Sorting: a button in each header, aria-sort on the sorted one.
  const scoreHeader = heatmap.locator("thead th").nth(1);
  await scoreHeader.getByRole("button").click();
  assert.equal(await heatmap.locator("thead th").nth(1).getAttribute("aria-sort"), "descending");
  const names = await heatmap.locator("tbody th").allInnerTexts();
  const byScore = Object.entries(cli)
    .sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]))
    .map(([name]) => name);
  assert.deepEqual(names.map((n) => n.trim()), byScore);

  // The CSV: a row per participant and drill, the same numbers.
  const [download] = await Promise.all([page.waitForEvent("download"), board.getByTestId("export-csv").click()]);
  assert.equal(download.suggestedFilename(), `firedrill-class-${pack.id}.csv`);
  const lines = (await readFile(await download.path(), "utf8")).trim().split("\n");
  const header = lines[0].split(",");
  assert.deepEqual(header.slice(0, 11), [
    "name", "pack", "drill", "scenario", "seed", "mode", "score", "passed", "steps", "claimed_score", "score_edited",
  ]);
  assert.deepEqual([...header.slice(11)].sort(), [...dimensions].sort());
  assert.equal(lines.length, 5);
  for (const line of lines.slice(1)) {
    const cells = Object.fromEntries(line.split(",").map((v, i) => [header[i], v]));
    const grade = cli[cells.name];
    assert.ok(grade, line);
    assert.equal(Number(cells.score), grade.score, line);
    assert.equal(Number(cells.steps), grade.steps, line);
    assert.equal(cells.score_edited, String(grade.score_edited), line);
    assert.equal(Number(cells.claimed_score), grade.claimed_score, line);
    assert.deepEqual([cells.pack, cells.drill, cells.scenario, cells.seed, cells.mode], [pack.id, "1", drill.scenario, String(drill.seed), drill.mode]);
    for (const d of grade.dimensions) assert.equal(Number(cells[d.name]), d.score, `${cells.name} ${d.name}`);
  }

  // Screenshots and axe, light, with the answers and the board shown.
  await screenshot(page, "facilitator-1440");
  assert.deepEqual(await axeViolations(page), []);

  // The debrief slide: the cause, the signals, the ideal path, the class's wrong moves.
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, "facilitator-1920");
  await board.getByTestId("debrief-slide-open").click();
  const slide = page.getByTestId("debrief-slide");
  await slide.waitFor();
  assert.match(await slide.getByTestId("answer-cause").innerText(), /\S/);
  assert.ok((await slide.getByTestId("slide-signals").locator("li").count()) >= 2);
  assert.ok((await slide.getByTestId("answer-ideal-path").locator("li").count()) >= 3);
  // Dee classified P4: a wrong severity of one participant at least.
  assert.match(await slide.getByTestId("slide-wrong-moves").innerText(), /wrong severity — P4/);
  await screenshotOf(slide, "facilitator-slide-1920");
  assert.deepEqual(await axeViolations(page), []);
  await page.keyboard.press("Escape");
  await slide.waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "debrief-slide-open");

  // Dark: axe and the projector's screenshot.
  await page.emulateMedia({ colorScheme: "dark" });
  assert.deepEqual(await axeViolations(page), []);
  await screenshot(page, "facilitator-dark-1920");

  // A reload keeps the board (and the pack); a clear asks first.
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=board-row]").length === 4);
  assert.equal(await page.getByTestId("board-failed-code").count(), 1);
  assert.equal(await page.locator("[data-testid=pack-choice][aria-pressed=true]").getAttribute("data-pack"), pack.id);
  // The same participant and drill again: the latest code counts.
  const again = codeOf("Ada", heuristic, heuristic.score);
  await page.getByTestId("facilitator-codes-input").fill(again);
  await page.getByTestId("facilitator-add-codes").click();
  await page.waitForFunction(
    (score) => document.querySelector('[data-testid=board-row][data-participant="Ada"]')?.dataset.score === String(score),
    heuristic.score,
  );
  assert.match(await page.getByTestId("board-message").innerText(), /replaced an earlier code/);
  assert.equal(await rows.count(), 4);
  await page.getByTestId("clear-board").click();
  assert.equal(await rows.count(), 4);
  await page.getByTestId("clear-board-confirm").click();
  assert.equal(await rows.count(), 0);
  assert.deepEqual(page.problems, []);
});

test("a custom pack file is chosen, its link says participants need the file, and several code files are added at once", async () => {
  const base = nativeCli(["packs", "--json"]).find((p) => p.id === "triage-101").drills[0];
  const toml = [
    'id = "our-team-drill"',
    'title = "Our team\'s drill"',
    'summary = "One drill for the team."',
    'objectives = ["Classify from user impact."]',
    "[[drills]]",
    `scenario = "${base.scenario}"`,
    `seed = ${base.seed}`,
    'mode = "practice"',
    "minutes = 5",
    'note = "Ask what made it obvious."',
  ].join("\n");
  const code = (name, severity, seed = base.seed) =>
    encode({
      name,
      pack: "our-team-drill",
      drill: 1,
      scenario: base.scenario,
      seed,
      mode: "practice",
      actions: [{ action_type: "classify", parameters: { severity }, reasoning: "" }],
    });
  const page = await openPage(session.browser, { width: 1440, height: 900 });
  await page.goto(`${session.url}?facilitate=1`);
  await page.getByTestId("facilitator-pack-file").setInputFiles({
    name: "our-team.toml",
    mimeType: "text/plain",
    buffer: Buffer.from(toml),
  });
  await page.getByTestId("pack-details").waitFor();
  assert.equal(
    await page.locator("[data-testid=pack-choice][aria-pressed=true]").getAttribute("data-pack"),
    "our-team-drill",
  );
  assert.match(await page.getByTestId("pack-minutes").innerText(), /1 drills, 5 minutes/);
  assert.equal(await page.getByTestId("participants-link").innerText(), `${session.url}?pack=our-team-drill`);
  assert.match(await page.getByTestId("custom-pack-note").innerText(), /participants need the file too/);

  // Two files at once: two codes in one, a code of another seed in the other.
  const ann = code("Ann", "P1");
  const ben = code("Ben", "P3");
  await page.getByTestId("facilitator-files").setInputFiles([
    { name: "room-a.txt", mimeType: "text/plain", buffer: Buffer.from(`${ann}\n${ben}\n`) },
    { name: "room-b.txt", mimeType: "text/plain", buffer: Buffer.from(code("Cat", "P1", base.seed + 1)) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=board-row]").length === 2);
  assert.match(await page.getByTestId("board-message").innerText(), /3 codes from 2 files: 2 replayed/);
  for (const [name, text] of [["Ann", ann], ["Ben", ben]]) {
    const row = page.locator(`[data-testid=board-row][data-participant="${name}"]`);
    assert.equal(Number(await row.getAttribute("data-score")), nativeCli(["grade-code", text]).score, name);
  }
  assert.match(await page.getByTestId("board-failed").innerText(), /drill 1 of pack "our-team-drill"/);
  assert.deepEqual(page.problems, []);
});

test("a participant's code from a built-in pack's walkthrough shows on the board as their debrief graded it", async () => {
  const triage = nativeCli(["packs", "--json"]).find((p) => p.id === "triage-101");
  const first = triage.drills[0];
  const oracle = nativeCli(["run", "--scenario", first.scenario, "--seed", String(first.seed), "--agent", "oracle", "--json"]);
  const participant = await openPage(session.browser, { width: 1280, height: 900 });
  await participant.goto(`${session.url}?pack=${triage.id}`);
  await participant.getByTestId("action-submit").waitFor();
  for (const action of oracle.actions) await playAction(participant, action);
  const shown = (await participant.getByTestId("grade-score").innerText()).trim();
  await participant.getByTestId("result-code-name").fill("Grace");
  await participant.getByTestId("result-code-name-save").click();
  const code = await participant.getByTestId("result-code").inputValue();
  const graded = nativeCli(["grade-code", code]);
  assert.equal(graded.score.toFixed(4), shown);

  const page = await openPage(session.browser, { width: 1440, height: 900 });
  await page.goto(`${session.url}?facilitate=1&pack=${triage.id}`);
  await page.getByTestId("pack-details").waitFor();
  await page.getByTestId("facilitator-codes-input").fill(`Grace: ${code}`);
  await page.getByTestId("facilitator-add-codes").click();
  const row = page.locator('[data-testid=board-row][data-participant="Grace"]');
  await row.waitFor();
  assert.equal(Number(await row.getAttribute("data-score")), graded.score);
  assert.equal(await row.getByTestId("board-score").innerText(), shown);
  assert.equal(await row.getAttribute("data-drill"), "1");
  assert.equal(await row.getByTestId("claimed-ignored").count(), 0);
  assert.equal(await page.getByTestId("heatmap-cell").count(), graded.dimensions.length);
  assert.deepEqual(participant.problems, []);
  assert.deepEqual(page.problems, []);
});
