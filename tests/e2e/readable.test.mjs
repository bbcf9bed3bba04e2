// Readable at a glance (issue 16, parts 4 and 8): the PromQL console's
// values rounded in their unit, every axis label drawn whole and at 11 px
// or more, the degradation chart opening on the signal the firing alerts
// watch, and the app and the embed at 360, 1280 and 1920 px wide: no
// horizontal overflow, the map a list on a phone, the map and the chart
// side by side on a wide screen; screenshots of each, and axe on each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useSession, openPage, screenshot, nativeCli, playAction, axeViolations } from "./harness.mjs";

const session = useSession();
const scenarios = nativeCli(["list", "--json"]);
const hard = scenarios.find((s) => s.task === "full_incident_management");

/** What a person should read for `raw` (as the Prometheus API writes it) of metric `name`. */
function readable(name, raw) {
  const value = Number(raw);
  if (!Number.isFinite(value)) return raw;
  const trim = (text) => {
    const cut = text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
    return cut === "-0" ? "0" : cut;
  };
  const significant = (x) => {
    if (x === 0) return "0";
    const magnitude = Math.floor(Math.log10(Math.abs(x)));
    return trim(x.toFixed(Math.min(17, Math.max(0, 2 - magnitude))));
  };
  if (name?.endsWith("_ratio")) {
    const percent = value * 100;
    const magnitude = percent === 0 ? 0 : Math.floor(Math.log10(Math.abs(percent)));
    return `${trim(percent.toFixed(Math.max(1, 1 - magnitude)))}%`;
  }
  if (name?.endsWith("_seconds")) {
    return Math.abs(value) < 1 ? `${significant(value * 1000)} ms` : `${significant(value)} s`;
  }
  return significant(value);
}

test("the reference rounding reads as the issue asks", () => {
  assert.equal(readable(undefined, "0.052083333333333336"), "0.0521");
  assert.equal(readable("error_ratio", "0.052083333333333336"), "5.2%");
  assert.equal(readable("latency_p99_seconds", "0.25"), "250 ms");
  assert.equal(readable("http_requests_total", "1234.6"), "1235");
  assert.equal(readable(undefined, "NaN"), "NaN");
});

/**
 * Records, per canvas, the text each fillText drew since the canvas was
 * last sized, with its box in canvas pixels (through the transform, so a
 * rotated label counts) and its font.
 */
function recordCanvasText() {
  const drawn = new WeakMap();
  window.drawnText = (canvas) => drawn.get(canvas) ?? [];
  for (const side of ["width", "height"]) {
    const property = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, side);
    Object.defineProperty(HTMLCanvasElement.prototype, side, {
      configurable: true,
      get: property.get,
      set(value) {
        drawn.set(this, []);
        property.set.call(this, value);
      },
    });
  }
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
    const m = this.measureText(text);
    const t = this.getTransform();
    const corners = [
      [x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent],
      [x + m.actualBoundingBoxRight, y - m.actualBoundingBoxAscent],
      [x - m.actualBoundingBoxLeft, y + m.actualBoundingBoxDescent],
      [x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent],
    ].map(([px, py]) => [t.a * px + t.c * py + t.e, t.b * px + t.d * py + t.f]);
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    if (!drawn.has(this.canvas)) drawn.set(this.canvas, []);
    drawn.get(this.canvas).push({
      text: String(text),
      font: this.font,
      x0: Math.min(...xs),
      x1: Math.max(...xs),
      y0: Math.min(...ys),
      y1: Math.max(...ys),
    });
    return fillText.call(this, text, x, y, ...rest);
  };
}

/**
 * The labels of the chart `testid` as drawn: every text inside the canvas,
 * none overlapping another on the same axis, at 11 CSS px or more; the
 * labels the chart lists in data-x-ticks / data-y-ticks are among them.
 */
async function checkChartLabels(page, testid) {
  const canvas = page.getByTestId(testid);
  // Drawn, and the labels listed are the ones of this drawing.
  await page.waitForFunction((id) => {
    const element = document.querySelector(`[data-testid=${id}]`);
    const texts = element ? window.drawnText(element).map((t) => t.text) : [];
    const listed = [element?.dataset.xTicks, element?.dataset.yTicks].join("|").split("|");
    return texts.length > 0 && element.dataset.xTicks && listed.every((l) => texts.includes(l));
  }, testid);
  const chart = await canvas.evaluate((element) => ({
    width: element.width,
    height: element.height,
    cssWidth: element.clientWidth,
    texts: window.drawnText(element),
    x: element.dataset.xTicks.split("|"),
    y: element.dataset.yTicks.split("|"),
  }));
  const where = `${testid} at ${chart.cssWidth} px`;
  assert.ok(chart.texts.length > 0, `${where}: labels drawn`);
  for (const label of chart.texts) {
    const inside = label.x0 >= -0.5 && label.y0 >= -0.5 && label.x1 <= chart.width + 0.5 && label.y1 <= chart.height + 0.5;
    assert.ok(inside, `${where}: "${label.text}" cut at an edge: ${JSON.stringify(label)} in ${chart.width}×${chart.height}`);
    const fontPx = Number(label.font.match(/([\d.]+)px/)[1]) * (chart.cssWidth / chart.width);
    assert.ok(fontPx >= 11, `${where}: "${label.text}" is ${fontPx.toFixed(1)} px`);
  }
  const texts = chart.texts.map((t) => t.text);
  for (const label of [...chart.x, ...chart.y]) assert.ok(texts.includes(label), `${where}: "${label}" drawn`);
  for (const label of chart.x) assert.match(label, /^(0|[+−]\d+(\.\d+)? min)$/, `${where}: x label`);
  for (const label of chart.y) {
    assert.match(label, /^-?\d+(\.\d+)?(%| ms| s)?$/, `${where}: y label`);
    // Rounded: a fraction has at most 3 significant digits (a whole
    // number keeps its digits: it is measured to fit).
    const number = label.replace(/[^\d.]/g, "");
    if (number.includes(".")) assert.ok(number.replace(".", "").replace(/^0+/, "").length <= 3, `${where}: "${label}" is rounded`);
  }
  // Labels of one axis never overlap: x labels side by side, y labels stacked.
  const boxes = (labels) => chart.texts.filter((t) => labels.includes(t.text));
  const xs = boxes(chart.x).sort((a, b) => a.x0 - b.x0);
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i].x0 >= xs[i - 1].x1, `${where}: "${xs[i - 1].text}" and "${xs[i].text}" overlap`);
  const ys = boxes(chart.y).sort((a, b) => a.y0 - b.y0);
  for (let i = 1; i < ys.length; i++) assert.ok(ys[i].y0 >= ys[i - 1].y1, `${where}: "${ys[i - 1].text}" and "${ys[i].text}" overlap`);
  return chart;
}

/** Writes `actions` to a temporary file for the native CLI's --actions. */
async function withActionsFile(actions, run) {
  const dir = await mkdtemp(join(tmpdir(), "firedrill-readable-"));
  try {
    const file = join(dir, "actions.json");
    await writeFile(file, JSON.stringify(actions));
    return await run(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `query` in the app's console (instant, or range if `range`). */
async function runQuery(page, query, { range = false } = {}) {
  const toggle = page.getByTestId("promql-range");
  if ((await toggle.isChecked()) !== range) await toggle.setChecked(range);
  await page.getByTestId("promql-input").fill(query);
  await page.getByTestId("promql-run").click();
  const type = range ? "matrix" : "vector";
  const result = page.locator(`[data-testid=promql-result][data-result-type=${type}]`);
  await result.waitFor();
  return result;
}

test("the console shows values rounded in their unit, the native value rounded", async () => {
  const scenario = scenarios.find((s) => s.task === "root_cause_analysis");
  const actions = [{ action_type: "investigate", target: scenario.services[0] }];
  const page = await openPage(session.browser);
  await page.goto(`${session.url}?scenario=${scenario.id}&seed=4`);
  await page.getByTestId("promql-input").waitFor();
  for (const action of actions) await playAction(page, action);

  for (const query of [
    "sort_desc(error_ratio)", // a ratio: a percentage
    "sort_desc(latency_p99_seconds)", // seconds: ms
    'sort_desc(sum by (service) (rate(http_requests_total{code="500"}[5m])))', // no name: 3 digits
    "sort_desc(error_ratio * 7 / 3)", // no name, long floats
  ]) {
    const native = await withActionsFile(actions, (file) =>
      nativeCli(["query", "--scenario", scenario.id, "--seed", "4", "--actions", file, "--", query]),
    );
    const result = await runQuery(page, query);
    const cells = result.locator("tbody td.promql-value");
    assert.equal(await cells.count(), native.data.result.length, query);
    assert.ok(native.data.result.length > 0, `${query}: a result`);
    for (const [i, sample] of native.data.result.entries()) {
      const cell = cells.nth(i);
      const shown = await cell.innerText();
      assert.equal(shown, readable(sample.metric.__name__, sample.value[1]), `${query} #${i}`);
      assert.equal(await cell.getAttribute("title"), sample.value[1], `${query} #${i}: the exact value on hover`);
      assert.doesNotMatch(shown, /\d{6,}/, `${query}: no long float`);
    }
  }
  // The issue's example: a value that reads 0.0521 rather than 0.052083333333333336.
  const scalar = page.locator("[data-testid=promql-result][data-result-type=scalar] .promql-value");
  await page.getByTestId("promql-input").fill("scalar(vector(5 / 96))");
  await page.getByTestId("promql-run").click();
  await scalar.waitFor();
  assert.equal(await scalar.innerText(), "0.0521");
  assert.equal(await scalar.getAttribute("data-value"), "0.052083333333333336");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("range charts label time from the incident's start and values in their unit, none cut, with a colour key", async () => {
  const page = await openPage(session.browser);
  await page.addInitScript(recordCanvasText);
  await page.goto(`${session.url}?scenario=${hard.id}&seed=3`);
  await page.getByTestId("promql-input").waitFor();
  await playAction(page, { action_type: "investigate", target: hard.services[0] });

  const captions = await page.getByTestId("promql-example-caption").allTextContents();
  assert.equal(captions.length, await page.getByTestId("promql-example").count(), "a caption for every example");
  assert.ok(captions.every((c) => c.length > 20), `captions say what each shows: ${captions}`);

  for (const [query, unit] of [
    ["error_ratio", /%$/],
    ["latency_p99_seconds", / (ms|s)$/],
    // Large values (the issue's "99999998" was cut): whole, and room made.
    ["sum(rate(http_requests_total[5m])) * 1000000", /^\d+$/],
  ]) {
    const result = await runQuery(page, query, { range: true });
    const chart = await checkChartLabels(page, "promql-chart");
    assert.ok(chart.x.some((l) => l.endsWith(" min")), `${query}: time in minutes: ${chart.x}`);
    for (const label of chart.y) assert.match(label, unit, `${query}: y label "${label}"`);
    const key = result.locator("[data-testid=promql-legend] tbody tr");
    const rows = await key.count();
    assert.ok(rows > 0, `${query}: a colour key`);
    assert.equal(await key.locator(".swatch").count(), rows, `${query}: a swatch per series`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** The chart's signal the rule picks for these alerts (firing, else pending). */
function expectedSignal(alerts) {
  const signalOf = (metric) =>
    metric === "error_ratio" ? "error_ratio" : /^latency_p(50|99)_seconds$/.test(metric) ? "latency_p99_seconds" : null;
  for (const state of ["firing", "pending"]) {
    const watched = alerts.filter((a) => a.state === state).map((a) => signalOf(a.metric)).filter(Boolean);
    const count = (s) => watched.filter((w) => w === s).length;
    const most = Math.max(0, ...watched.map(count));
    const first = watched.find((s) => count(s) === most);
    if (first) return first;
  }
  return null;
}

test("the degradation chart opens on the signal the firing alerts watch, and keeps the one picked", async () => {
  const page = await openPage(session.browser);
  await page.addInitScript(recordCanvasText);
  await page.goto(session.url);
  await page.waitForFunction(() => window.firedrill && typeof window.firedrill.Env === "function");
  // Through the JS API: a drill whose alerts watch latency and one whose
  // alerts watch errors, after two investigations.
  const drills = await page.evaluate(() => {
    const found = {};
    const env = new window.firedrill.Env();
    for (const scenario of window.firedrill.scenarios()) {
      for (const seed of [1, 2, 3]) {
        let observation = env.reset({ scenario: scenario.id, seed });
        const actions = observation.services.slice(0, 2).map((s) => ({ action_type: "investigate", target: s.name }));
        for (const action of actions) if (!observation.done) observation = env.step(action).observation;
        if (observation.done) continue;
        const alerts = observation.alerts.map((a) => ({ metric: a.metric, state: a.state }));
        const firing = alerts.filter((a) => a.state === "firing");
        const key = firing.length && firing.every((a) => a.metric === "error_ratio") ? "errors"
          : firing.length && firing.every((a) => a.metric.startsWith("latency_")) ? "latency" : null;
        if (key && !found[key]) found[key] = { scenario: scenario.id, seed, actions, alerts };
      }
    }
    return found;
  });
  assert.ok(drills.errors && drills.latency, `drills for both signals: ${JSON.stringify(drills)}`);
  for (const [kind, drill] of Object.entries(drills)) {
    const expected = expectedSignal(drill.alerts);
    assert.equal(expected, kind === "errors" ? "error_ratio" : "latency_p99_seconds");
    await page.goto(`${session.url}?scenario=${drill.scenario}&seed=${drill.seed}`);
    await page.getByTestId("action-submit").waitFor();
    for (const action of drill.actions) await playAction(page, action);
    const chart = page.getByTestId("degradation-chart");
    await page.waitForFunction((signal) => document.querySelector("[data-testid=degradation-chart]")?.dataset.signal === signal, expected);
    assert.equal(await page.getByTestId("chart-signal").inputValue(), expected, `${kind}: the switch shows it`);
    const labels = await checkChartLabels(page, "degradation-chart");
    for (const label of labels.y) assert.match(label, kind === "errors" ? /%$/ : / (ms|s)$/, `${kind}: y label`);
    // The reading names a service and its change from baseline, or says none moved.
    const summary = await page.getByTestId("chart-summary").innerText();
    assert.match(
      summary,
      /^(Most changed from its healthy baseline: [^:]+: (error ratio|p99 latency) [\d.]+( ms| s|%) → [\d.]+( ms| s|%)(; .+)?\.|No service's .+ has moved far from its healthy baseline\.)$/,
      summary,
    );
    assert.ok((await chart.getAttribute("aria-label")).includes(summary), "the chart's text alternative reads the same");
  }

  // A pick is kept through the following steps.
  const other = (await page.getByTestId("chart-signal").inputValue()) === "error_ratio" ? "latency_p99_seconds" : "error_ratio";
  await page.getByTestId("chart-signal").selectOption(other);
  await page.waitForFunction((signal) => document.querySelector("[data-testid=degradation-chart]").dataset.signal === signal, other);
  await playAction(page, { action_type: "investigate", target: drills.latency.actions[0].target });
  assert.equal(await page.getByTestId("degradation-chart").getAttribute("data-signal"), other);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** Plays the start of a hard drill and opens a range chart in the console. */
async function midDrill(page, url) {
  await page.goto(url);
  await page.getByTestId("action-submit").waitFor();
  const run = nativeCli(["run", "--scenario", hard.id, "--seed", "3", "--agent", "heuristic", "--json"]);
  for (const action of run.actions.slice(0, 3)) await playAction(page, action);
  await runQuery(page, "error_ratio", { range: true });
  await page.getByTestId("promql-chart").waitFor();
  await page.locator(".examples summary").click(); // the captioned examples in view
  await page.getByTestId("promql-example-caption").first().waitFor();
}

const views = [360, 1280, 1920].flatMap((width) => [
  { width, embed: false, colorScheme: "light" },
  { width, embed: true, colorScheme: "light" },
]);
views.push({ width: 360, embed: false, colorScheme: "dark" });

for (const { width, embed, colorScheme } of views) {
  const name = `readable-${embed ? "embed" : "app"}-${width}${colorScheme === "dark" ? "-dark" : ""}`;
  test(`${embed ? "the embed" : "the app"} at ${width} px (${colorScheme}) reads without overflow (${name}.png)`, async () => {
    const page = await openPage(session.browser, { width, height: 900, colorScheme });
    await page.addInitScript(recordCanvasText);
    await midDrill(page, `${session.url}?${embed ? "embed=1&" : ""}scenario=${hard.id}&seed=3`);

    const overflow = await page.evaluate(() => {
      const root = document.documentElement;
      const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5 && e.getClientRects().length)
        .filter((e) => !e.closest(".visually-hidden"))
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} right=${Math.round(e.getBoundingClientRect().right)}`);
      return { scroll: root.scrollWidth, client: root.clientWidth, wide };
    });
    assert.ok(overflow.scroll <= overflow.client, `horizontal overflow: ${JSON.stringify(overflow)}`);
    assert.deepEqual(overflow.wide, [], "elements past the right edge");

    await checkChartLabels(page, "degradation-chart");
    await checkChartLabels(page, "promql-chart");
    const chartHeight = await page.getByTestId("degradation-chart").evaluate((c) => c.clientHeight);
    assert.ok(chartHeight >= 220, `the chart keeps a readable height: ${chartHeight}`);

    // The map: a drawing whose text is 11 px or more, or (narrow) a list.
    const map = await page.evaluate(() => {
      const svg = document.querySelector("[data-testid=service-map]");
      const list = document.querySelector("[data-testid=service-flow]");
      const visible = (e) => e && e.getClientRects().length > 0;
      const scale = visible(svg) ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 0;
      const sizes = visible(svg)
        ? [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale)
        : [...list.querySelectorAll("li, li *")].map((e) => parseFloat(getComputedStyle(e).fontSize));
      return { drawing: visible(svg), list: visible(list), items: list.children.length, smallest: Math.min(...sizes) };
    });
    assert.ok(map.drawing !== map.list, `the drawing or the list: ${JSON.stringify(map)}`);
    assert.ok(map.smallest >= 11, `map text ${map.smallest.toFixed(1)} px`);
    assert.equal(map.items, hard.services.length);
    if (width === 360) assert.ok(map.list, "a list on a phone");

    if (width >= 1440 && !embed) {
      const boxes = await page.evaluate(() =>
        [".panel:has(> .map-box)", ".chart-panel"].map((s) => document.querySelector(s).getBoundingClientRect().toJSON()),
      );
      assert.ok(Math.abs(boxes[0].top - boxes[1].top) < 1 && boxes[0].right <= boxes[1].left, `map and chart side by side: ${JSON.stringify(boxes)}`);
    }

    await screenshot(page, name);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
