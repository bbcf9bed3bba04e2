// Lighthouse's performance score of the release build's app page, as
// issue 21 measures it: Lighthouse 12 with its default mobile settings
// (a Moto G Power's screen, simulated slow 4G and a 4× slower CPU), the
// build (dist/) served on 127.0.0.1 with gzip as a production host serves
// it, Debian's Chromium. Runs it several times (a new browser profile
// each) and prints the median score with the metrics it is made of; the
// reports go to the JSON file. Figures are reported, never asserted.
//
// Lighthouse is not a test dependency: the first run installs the pinned
// version into target/lighthouse/ (npm, about 15 s; 13 needs Node 22).
//
//   node tests/e2e/bench/lighthouse.mjs [--runs N] [--json FILE] [--dist DIR]
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serveStatic, distDir, chromiumOptions } from "../harness.mjs";

const LIGHTHOUSE_VERSION = "12.2.3";
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(option("--runs", 3));
const jsonOut = option("--json", "target/lighthouse.json");
const dist = resolve(option("--dist", distDir));

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const prefix = resolve(root, "target/lighthouse");
const entry = resolve(prefix, "node_modules/lighthouse/core/index.js");
if (!existsSync(entry)) {
  console.error(`lighthouse: installing lighthouse@${LIGHTHOUSE_VERSION} into ${prefix}`);
  mkdirSync(prefix, { recursive: true });
  execFileSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "-E", `lighthouse@${LIGHTHOUSE_VERSION}`], { stdio: "inherit" });
}
const { default: lighthouse } = await import(pathToFileURL(entry).href);
const chromeLauncher = await import(pathToFileURL(resolve(prefix, "node_modules/chrome-launcher/dist/index.js")).href);

const metrics = {
  "first-contentful-paint": "FCP",
  "largest-contentful-paint": "LCP",
  "speed-index": "SI",
  "total-blocking-time": "TBT",
  "cumulative-layout-shift": "CLS",
  interactive: "TTI",
  "total-byte-weight": "bytes",
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const server = await serveStatic(dist, {}, { gzip: true });
const reports = [];
try {
  for (let run = 0; run < runs; run++) {
    const chrome = await chromeLauncher.launch({
      chromePath: chromiumOptions.executablePath,
      chromeFlags: ["--headless=new", ...chromiumOptions.args],
    });
    try {
      const result = await lighthouse(server.url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] });
      const lhr = result.lhr;
      if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
      const report = { score: lhr.categories.performance.score };
      for (const [audit, name] of Object.entries(metrics)) {
        report[name] = lhr.audits[audit].numericValue;
        report[`${name}_score`] = lhr.audits[audit].score;
      }
      report.long_tasks = (lhr.audits["long-tasks"]?.details?.items ?? []).map((t) => ({ url: t.url, start: t.startTime, ms: t.duration }));
      reports.push(report);
      console.log(`run ${run + 1}: score ${report.score.toFixed(2)}  FCP ${(report.FCP / 1000).toFixed(1)} s  LCP ${(report.LCP / 1000).toFixed(1)} s  SI ${(report.SI / 1000).toFixed(1)} s  TBT ${report.TBT.toFixed(0)} ms  CLS ${report.CLS.toFixed(3)}  TTI ${(report.TTI / 1000).toFixed(1)} s  ${(report.bytes / 1024).toFixed(0)} KB`);
    } finally {
      await chrome.kill();
    }
  }
} finally {
  await server.close();
}
const summary = { lighthouse: LIGHTHOUSE_VERSION, runs: reports.length, median_score: median(reports.map((r) => r.score)) };
for (const name of Object.values(metrics)) summary[`median_${name}`] = median(reports.map((r) => r[name]));
console.log(`Lighthouse ${LIGHTHOUSE_VERSION}, mobile: median performance score ${summary.median_score.toFixed(2)} of ${reports.length} runs; full reports in ${jsonOut}`);
writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), summary, reports }, null, 2));
