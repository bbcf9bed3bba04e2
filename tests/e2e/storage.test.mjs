// What the app keeps in localStorage: the leaderboard across reloads, its
// export and import, an episode in progress across a reload, and damaged
// or foreign saved data set aside with a visible notice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useSession, openPage, screenshot, nativeCli, playAction } from "./harness.mjs";

const session = useSession();

const scenarios = nativeCli(["list", "--json"]);
const easy = scenarios.find((s) => s.task === "severity_classification").id;
const medium = scenarios.find((s) => s.task === "root_cause_analysis");

async function playWhole(page, scenario, seed, agent = "heuristic") {
  const run = nativeCli(["run", "--scenario", scenario, "--seed", String(seed), "--agent", agent, "--json"]);
  await page.goto(`${session.url}?scenario=${scenario}&seed=${seed}`);
  await page.getByTestId("action-submit").waitFor();
  for (const action of run.actions) await playAction(page, action);
  await page.getByTestId("grade-score").waitFor();
  return run;
}

test("a finished episode goes on the leaderboard and stays after a reload", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("player-name").fill("Ana <img src=x onerror=alert(1)>");
  await page.getByTestId("player-name").dispatchEvent("change");
  const run = await playWhole(page, easy, 4);
  const row = page.getByTestId("leaderboard-row").first();
  await row.waitFor();
  assert.match(await row.innerText(), /Ana <img src=x onerror=alert\(1\)>/);
  assert.match(await row.innerText(), new RegExp(run.score.toFixed(4).replace(".", "\\.")));

  await page.goto(session.url);
  await page.getByTestId("leaderboard-row").first().waitFor();
  assert.equal(await page.getByTestId("leaderboard-row").count(), 1, "one entry, not re-recorded on reload");
  const progress = await page.getByTestId("stage-progress").allInnerTexts();
  assert.match(progress[0], new RegExp(`best ${run.score.toFixed(2).replace(".", "\\.")}`));
  assert.match(progress[1], run.score >= 0.6 ? /unlocked/ : /after stage 1/);
  assert.equal(await page.getByTestId("player-name").inputValue(), "Ana <img src=x onerror=alert(1)>");
  assert.equal(await page.locator("img[src=x]").count(), 0, "names are text, never HTML");
  await screenshot(page, "leaderboard");
  assert.deepEqual(page.problems, []);
});

test("an exported leaderboard imports into another browser, merging without duplicates", async () => {
  const page = await openPage(session.browser);
  await page.goto(session.url);
  await page.getByTestId("player-name").fill("Bo");
  await page.getByTestId("player-name").dispatchEvent("change");
  await playWhole(page, easy, 5);
  await page.getByTestId("leaderboard-row").first().waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("leaderboard-export").click(),
  ]);
  const file = await download.path();
  const exported = JSON.parse(await readFile(file, "utf8"));
  assert.equal(exported.format, "firedrill-leaderboard");
  assert.equal(exported.version, 3);
  assert.equal(exported.entries.length, 1);
  assert.equal(exported.entries[0].mode, "practice");
  assert.equal(exported.entries[0].agent, undefined, "played by a person");
  const dimensions = Object.keys(exported.entries[0].dimensions);
  assert.ok(dimensions.includes("severity_accuracy"), dimensions.join());

  const other = await openPage(session.browser);
  await other.goto(session.url);
  await other.getByTestId("leaderboard-import").setInputFiles(file);
  await other.getByTestId("leaderboard-row").first().waitFor();
  assert.equal(await other.getByTestId("leaderboard-row").count(), 1);
  await other.getByTestId("leaderboard-import").setInputFiles(file);
  await other.getByText(/0 new entries, 1 already here/).waitFor();
  assert.equal(await other.getByTestId("leaderboard-row").count(), 1, "no duplicate");

  await other.getByTestId("leaderboard-import").setInputFiles({
    name: "bad.json",
    mimeType: "application/json",
    buffer: Buffer.from('{"format":"firedrill-leaderboard","version":1,"entries":[{"name":"x"}]}'),
  });
  await other.getByText(/bad\.json: not a Firedrill leaderboard file: line 1/).waitFor();
  assert.equal(await other.getByTestId("leaderboard-row").count(), 1);
});

test("a reload in the middle of an episode reopens it where it was", async () => {
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${medium.id}&seed=9`);
  await page.getByTestId("action-submit").waitFor();
  await playAction(page, { action_type: "investigate", target: medium.services[0], reasoning: "first look" });
  await playAction(page, { action_type: "classify", parameters: { severity: "P2" }, reasoning: "impact" });
  assert.equal(await page.getByTestId("step-counter").innerText(), "2/15");

  for (const url of [session.url, `${session.url}?scenario=${medium.id}&seed=9`]) {
    await page.goto(url);
    await page.getByTestId("action-submit").waitFor();
    assert.equal(await page.getByTestId("step-counter").innerText(), "2/15", url);
    assert.match(await page.getByTestId("action-history").innerText(), /first look/);
  }
  // Another seed in the URL is another episode.
  await page.goto(`${session.url}?scenario=${medium.id}&seed=10`);
  await page.getByTestId("action-submit").waitFor();
  assert.equal(await page.getByTestId("step-counter").innerText(), "0/15");
});

test("corrupted or foreign saved data is set aside with a notice and the app works", async () => {
  const page = await openPage(session.browser);
  await page.addInitScript(() => {
    if (sessionStorage.getItem("seeded")) return;
    sessionStorage.setItem("seeded", "1");
    localStorage.setItem("firedrill.leaderboard", "{not json");
    localStorage.setItem("firedrill.player", JSON.stringify({ version: 99, data: "from the future" }));
    localStorage.setItem("firedrill.episode", JSON.stringify({ version: 1, data: { scenario: 3 } }));
  });
  await page.goto(session.url);
  const notice = page.getByTestId("storage-notice");
  await notice.waitFor();
  const text = await notice.innerText();
  assert.match(text, /firedrill\.leaderboard could not be read \(it is not valid JSON/);
  assert.match(text, /firedrill\.player was saved by a newer version/);
  assert.match(text, /firedrill\.episode could not be read/);
  const keys = await page.evaluate(() => Object.keys(localStorage));
  assert.ok(keys.some((k) => k.startsWith("firedrill.quarantine.leaderboard.")), keys.join());
  assert.ok(keys.some((k) => k.startsWith("firedrill.quarantine.episode.")), keys.join());
  assert.equal(
    await page.evaluate(() => localStorage.getItem("firedrill.player")),
    JSON.stringify({ version: 99, data: "from the future" }),
    "newer data is kept untouched",
  );
  await screenshot(page, "storage-notice");
  await playWhole(page, easy, 2);
  await page.getByTestId("leaderboard-row").first().waitFor();
});

test("a leaderboard saved by an earlier version (format 1) is upgraded, nothing lost", async () => {
  const v1 = [0, 1].map((i) => ({
    name: `old ${i}`,
    scenario: easy,
    task: "severity_classification",
    seed: 40 + i,
    score: 0.25 * (i + 1),
    steps: 3 + i,
    date: `2026-11-0${i + 1}T09:00:00.000Z`,
  }));
  const page = await openPage(session.browser);
  await page.addInitScript((entries) => {
    if (sessionStorage.getItem("seeded")) return;
    sessionStorage.setItem("seeded", "1");
    localStorage.setItem("firedrill.leaderboard", JSON.stringify({ version: 1, data: { entries } }));
  }, v1);
  await page.goto(session.url);
  await page.getByTestId("leaderboard-row").nth(1).waitFor();
  assert.match(await page.getByTestId("leaderboard").innerText(), /old 0[\s\S]*old 1|old 1[\s\S]*old 0/);
  assert.equal(await page.getByTestId("storage-notice").count(), 0, "an upgrade is not a problem");
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("firedrill.leaderboard")));
  assert.equal(stored.version, 3, "saved back in the current format");
  const upgraded = v1.map((entry) => ({ ...entry, mode: "practice" }));
  assert.deepEqual(stored.data.entries, upgraded, "every entry kept as it was, as practice");

  await playWhole(page, easy, 6);
  await page.getByTestId("leaderboard-row").nth(2).waitFor();
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem("firedrill.leaderboard")));
  assert.equal(after.data.entries.length, 3);
  assert.deepEqual(after.data.entries.slice(0, 2), upgraded);
  assert.ok(Object.keys(after.data.entries[2].dimensions).length >= 3, "new entries keep their dimensions");
  const titles = await page.locator("[data-testid=leaderboard-row] td[title]").evaluateAll((cells) =>
    cells.map((cell) => cell.title),
  );
  assert.equal(titles.length, 1, "the score of the new entry explains its dimensions");
  assert.match(titles[0], /severity accuracy \d\.\d\d/);
  assert.deepEqual(page.problems, []);
});

test("without localStorage (privacy mode) the app says so and plays on", async () => {
  const page = await openPage(session.browser);
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  await page.goto(session.url);
  const notice = page.getByTestId("storage-notice");
  await notice.waitFor();
  assert.match(await notice.innerText(), /does not let the page use localStorage: your name, the leaderboard and the episode in progress are kept only until this page is closed/);
  await playWhole(page, easy, 6);
  await page.getByTestId("leaderboard-row").first().waitFor();
  assert.equal(await notice.locator("li").count(), 1, "one notice, not one per save");
  assert.deepEqual(page.problems, []);
});

test("a full localStorage is reported once, and saving resumes when there is room", async () => {
  const page = await openPage(session.browser);
  await page.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    window.storageFull = true;
    Storage.prototype.setItem = function (key, value) {
      if (window.storageFull) throw new DOMException("quota", "QuotaExceededError");
      return setItem.call(this, key, value);
    };
  });
  await page.goto(`${session.url}?scenario=${medium.id}&seed=3`);
  await page.getByTestId("action-submit").waitFor();
  for (const target of medium.services.slice(0, 3)) await playAction(page, { action_type: "investigate", target });
  const notice = page.getByTestId("storage-notice");
  const text = await notice.innerText();
  assert.match(text, /localStorage for the page is full/);
  assert.match(text, /could not save firedrill\.episode: this browser's localStorage is full/);
  assert.equal((text.match(/could not save firedrill\.episode/g) ?? []).length, 1, "reported once");
  assert.equal(await page.evaluate(() => localStorage.getItem("firedrill.episode")), null);
  // Room again: the next step saves the whole episode so far.
  await page.evaluate(() => { window.storageFull = false; });
  await playAction(page, { action_type: "classify", parameters: { severity: "P2" } });
  const saved = JSON.parse(await page.evaluate(() => localStorage.getItem("firedrill.episode")));
  assert.equal(saved.data.actions.length, 4);
  assert.deepEqual(page.problems, []);
});

test("two tabs finishing episodes at once lose no leaderboard entry", async () => {
  const context = await session.browser.newContext();
  const open = async () => {
    const page = await context.newPage();
    page.problems = [];
    page.on("pageerror", (error) => page.problems.push(error.message));
    return page;
  };
  const a = await open();
  const b = await open();
  // Tab B reads the board as it was before tab A's write (a stale read).
  await b.addInitScript(() => {
    const getItem = Storage.prototype.getItem;
    window.freezeBoard = () => { window.staleBoard = getItem.call(localStorage, "firedrill.leaderboard"); };
    Storage.prototype.getItem = function (key) {
      if (key === "firedrill.leaderboard" && window.staleBoard !== undefined) return window.staleBoard;
      return getItem.call(this, key);
    };
  });
  for (const [page, seed] of [[a, 3], [b, 4]]) {
    await page.goto(`${session.url}?scenario=${easy}&seed=${seed}`);
    await page.getByTestId("action-submit").waitFor();
  }
  await b.evaluate(() => window.freezeBoard());
  await playAction(a, { action_type: "classify", parameters: { severity: "P2" } });
  await playAction(b, { action_type: "classify", parameters: { severity: "P3" } });
  const stored = async () => JSON.parse((await a.evaluate(() => localStorage.getItem("firedrill.leaderboard"))) ?? "{}").data?.entries?.length ?? 0;
  for (let i = 0; i < 50 && (await stored()) < 2; i++) await a.waitForTimeout(100);
  assert.equal(await stored(), 2, "both tabs' entries are stored");
  await a.getByTestId("leaderboard-row").nth(1).waitFor();
  assert.deepEqual([...a.problems, ...b.problems], []);
  await context.close();
});
