// The build a facilitator carries: scripts/package's zip, unzipped into an
// empty folder and served with the one-liners its SERVE.txt documents
// (python3 -m http.server, firedrill serve-app), passes the smoke test: the
// app starts, a drill is played to its debrief, the leaderboard keeps it and
// the PromQL console answers. Also from a room device's address (plain
// http to another host: no secure context, so no service worker).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { chromium } from "playwright-core";
import {
  chromiumOptions, distDir, launchBrowser, nativeBinary, nativeCli, openPage, playToDebrief, queryConsole, screenshot,
} from "./harness.mjs";

const repo = resolve(distDir, "..");
const scenarios = nativeCli(["list", "--json"]);
const drill = scenarios.find((s) => s.id === "connection-pool-exhaustion-v1");
let work;
let folder;
let browser;

before(async () => {
  work = await mkdtemp(join(tmpdir(), "firedrill-package-"));
  const output = execFileSync(join(repo, "scripts/package"), ["--no-build", "--out", work], { encoding: "utf8" });
  const zip = output.match(/package: (\S+\.zip) /)?.[1];
  assert.ok(zip, output);
  const unzipped = join(work, "unzipped");
  execFileSync("python3", ["-m", "zipfile", "-e", zip, unzipped]);
  const [name] = await readdir(unzipped);
  assert.match(name, /^firedrill-\d+\.\d+\.\d+$/);
  folder = join(unzipped, name);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    }).on("error", fail);
  });
}

/** Starts `command` in `cwd`; resolves once its output matches `ready` (to the match), with `stop()`. */
function start(command, args, cwd, ready) {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${command} did not start: ${output}`)), 20000);
    const read = (chunk) => {
      output += chunk;
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        ok({ match, stop: () => child.kill() });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => fail(new Error(`${command} exited (${code}): ${output}`)));
  });
}

/** The smoke test: the app starts, a drill reaches its debrief, is saved, and a query answers. */
async function smoke(page, url, name) {
  await page.goto(url);
  await page.getByTestId("scenario-option").first().waitFor();
  await playToDebrief(page, url, drill);
  await page.getByTestId("leaderboard-row").first().waitFor();
  assert.equal(await queryConsole(page), "vector");
  await screenshot(page, `package-${name}`);
  assert.deepEqual(page.problems, []);
}

test("the package holds the build and SERVE.txt with the one-liner", async () => {
  const serve = await readFile(join(folder, "SERVE.txt"), "utf8");
  assert.match(serve, /^ {6}python3 -m http\.server 8000$/m);
  assert.match(serve, /^ {6}firedrill serve-app \. --lan$/m);
  for (const file of ["index.html", "sw.js", "manifest.webmanifest", "offline.js", "env/firedrill_env_bg.wasm", `scenarios/${drill.id}.toml`]) {
    assert.ok((await readFile(join(folder, file))).length > 0, file);
  }
});

test("unzipped and served with python3 -m http.server, the app passes the smoke test", async () => {
  const port = await freePort();
  const server = await start("python3", ["-u", "-m", "http.server", String(port), "--bind", "127.0.0.1"], folder, /Serving HTTP/);
  const page = await openPage(browser);
  try {
    await smoke(page, `http://127.0.0.1:${port}/`, "python");
  } finally {
    await page.context().close();
    server.stop();
  }
});

test("unzipped and served with firedrill serve-app, the app passes the smoke test", async () => {
  const server = await start(nativeBinary(), ["serve-app", ".", "--port", "0"], folder, /http:\/\/127\.0\.0\.1:(\d+)\//);
  const page = await openPage(browser);
  try {
    await smoke(page, `http://127.0.0.1:${server.match[1]}/`, "serve-app");
  } finally {
    await page.context().close();
    server.stop();
  }
});

test("a room device opening the laptop's address (plain http, no service worker) plays the same", async () => {
  const port = await freePort();
  const server = await start("python3", ["-u", "-m", "http.server", String(port), "--bind", "127.0.0.1"], folder, /Serving HTTP/);
  // room.test stands for the laptop's address on the room's network: not a
  // secure context, as http://192.168.1.23:8000/ is not.
  const room = await chromium.launch({ ...chromiumOptions, args: [...chromiumOptions.args, "--host-resolver-rules=MAP room.test 127.0.0.1"] });
  const page = await openPage(room);
  try {
    await smoke(page, `http://room.test:${port}/`, "room");
    assert.equal(await page.evaluate(() => window.isSecureContext || "serviceWorker" in navigator), false);
  } finally {
    await room.close();
    server.stop();
  }
});
