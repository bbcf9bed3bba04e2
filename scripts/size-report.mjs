// The size of the release build: raw, gzip (-9) and brotli of each asset,
// the first-load total (what the app's page loads before it is
// interactive: index.html, its scripts, the app's wasm, css, icon and the
// wasm-bindgen snippets), the deferred core-only module (env/, loaded
// after the app is interactive) and the built-in scenario files
// (scenarios/, each fetched the first time its drill is played; one line
// for all of them, with the mean per file). Exits 1 when the first-load
// gzip total is over the budget, or when the first load embeds scenario
// files' texts (the app's wasm built with the feature embed-scenarios: its
// size would grow with every scenario file), or when the core-only module
// (env/) is over its own budget. The service worker, the web
// app manifest and its icons are a group of their own ("offline"): the
// browser fetches them after the app has started.
//
//   node scripts/size-report.mjs [dist] [--budget-kb N] [--env-budget-kb N] [--json FILE]
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
// The regression gate: the first-load gzip total of 2026-12-07 (903.7 KB,
// once the exports moved to the core-only module) plus a margin.
// Issue 21's target is 350 KB; BENCHMARKS.md says what is still to cut.
const budgetKb = Number(option("--budget-kb") ?? 910);
// The core-only module's gate: its gzip total of 2026-12-08 (1,090.4 KB)
// plus a margin. Issue 21's target is 450 KB; BENCHMARKS.md says what is in it.
const envBudgetKb = Number(option("--env-budget-kb") ?? 1100);
const jsonOut = option("--json");
const dist = args[0] ?? "dist";

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
// Pages of their own, not part of the app's first load.
const standalone = /^(embed|bench|embed-example)[.-]/;
// Fetched once the app runs: the service worker and what installing needs.
const offline = /^(sw\.js|manifest\.webmanifest|icons\/)/;
const rows = files(dist)
  .map((path) => {
    const name = relative(dist, path);
    const bytes = readFileSync(path);
    const group = name.startsWith("env/")
      ? "deferred"
      : name.startsWith("scenarios/")
        ? "on play"
        : standalone.test(name) || name.endsWith(".d.ts")
        ? "other pages"
        : offline.test(name)
        ? "offline"
        : "first load";
    return {
      name,
      group,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  })
  .sort((a, b) => a.group.localeCompare(b.group) || b.gzip - a.gzip);

const kb = (n) => (n / 1024).toFixed(1).padStart(8);
console.log(`${"asset".padEnd(58)} ${"group".padEnd(12)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)}`);
const line = (name, group, r) => console.log(`${name.padEnd(58)} ${group.padEnd(12)} ${kb(r.raw)} ${kb(r.gzip)} ${kb(r.brotli)}`);
for (const r of rows) if (r.group !== "on play") line(r.name, r.group, r);
const scenarios = rows.filter((r) => r.group === "on play");
if (scenarios.length) {
  const mean = (key) => scenarios.reduce((s, r) => s + r[key], 0) / scenarios.length;
  line(`scenarios/*.toml (${scenarios.length} files, mean per file)`, "on play", { raw: mean("raw"), gzip: mean("gzip"), brotli: mean("brotli") });
}
const totals = {};
for (const group of ["first load", "deferred", "on play", "offline", "other pages"]) {
  const of = rows.filter((r) => r.group === group);
  totals[group] = {
    raw: of.reduce((s, r) => s + r.raw, 0),
    gzip: of.reduce((s, r) => s + r.gzip, 0),
    brotli: of.reduce((s, r) => s + r.brotli, 0),
  };
  const t = totals[group];
  console.log(`${("total " + group).padEnd(58)} ${"".padEnd(12)} ${kb(t.raw)} ${kb(t.gzip)} ${kb(t.brotli)}`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ budget_kb: budgetKb, env_budget_kb: envBudgetKb, totals, assets: rows }, null, 2));
// A scenario file's services, as only an embedded text has them.
const embeddedText = Buffer.from('\n[[services]]\nname = "');
const embedding = rows.filter((r) => r.group === "first load" && readFileSync(join(dist, r.name)).includes(embeddedText));
if (embedding.length) {
  console.error(`size: ${embedding.map((r) => r.name).join(", ")} embeds scenario files' texts; the app's first load must carry their listing only (build it without the feature embed-scenarios)`);
  process.exit(1);
}
const first = totals["first load"].gzip / 1024;
if (first > budgetKb) {
  console.error(`size: the first load is ${first.toFixed(1)} KB gzip, over the ${budgetKb} KB budget`);
  process.exit(1);
}
const env = totals["deferred"].gzip / 1024;
if (env > envBudgetKb) {
  console.error(`size: the core-only module (env/) is ${env.toFixed(1)} KB gzip, over the ${envBudgetKb} KB budget`);
  process.exit(1);
}
console.log(`size: first load ${first.toFixed(1)} KB gzip, within the ${budgetKb} KB budget; the core-only module ${env.toFixed(1)} KB, within ${envBudgetKb} KB`);
