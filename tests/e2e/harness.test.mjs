// The harness's own tests: which failed requests watchProblems counts.
// A request its document's navigation (a reload, a goto, the page closing)
// cuts off is not a problem, whenever the cut falls; a request aborted in a
// live page is. A local server holds /hang* requests open, so each request
// is in flight at the navigation, every time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { EventEmitter, once } from "node:events";
import { launchBrowser, openPage } from "./harness.mjs";

const arrivals = new EventEmitter(); // emits each request's path as it arrives
const noContent = new Set(); // the responses of /204, held open until sent
let server;
let url;
let browser;

const pages = {
  // Imports a module and fetches a file that never arrive, as the app's
  // deferred core-only module would on a slow machine.
  "/": `<script type="module">
    import("/hang.js");
    fetch("/hang.wasm").catch(() => {});
  </script>`,
  "/other": `<p>another page</p>`,
  "/framed": `<iframe src="/"></iframe>`,
  // A request the page itself aborts, on abort() or on a message from
  // another page.
  "/abortable": `<script type="module">
    const controller = new AbortController();
    window.abort = () => controller.abort();
    fetch("/hang.data", { signal: controller.signal }).catch(() => {});
    new BroadcastChannel("abort").onmessage = window.abort;
  </script>`,
};

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    arrivals.emit(path);
    if (path.startsWith("/hang")) return; // never answered
    if (path === "/204") {
      noContent.add(res);
      return;
    }
    const page = pages[path];
    if (page === undefined) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><link rel="icon" href="data:,">${page}`);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${server.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok));
});

/** Runs `action` and waits until each of `paths` has reached the server. */
async function arrive(paths, action) {
  const arrived = Promise.all(paths.map((path) => once(arrivals, path)));
  await action();
  await arrived;
}

/** Counts the requests of `page` that failed with net::ERR_ABORTED. */
function countAborts(page) {
  const aborts = { count: 0 };
  page.on("requestfailed", (request) => {
    if (request.failure()?.errorText === "net::ERR_ABORTED") aborts.count++;
  });
  return aborts;
}

test("requests cut off by a reload or a navigation are not problems", async () => {
  const page = await openPage(browser);
  const aborts = countAborts(page);
  await arrive(["/hang.js", "/hang.wasm"], () => page.goto(`${url}/`));
  await arrive(["/hang.js", "/hang.wasm"], () => page.reload());
  await page.goto(`${url}/other`);
  assert.equal(aborts.count, 4, "both requests were in flight at both navigations");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a frame's requests cut off by the page's reload are not problems", async () => {
  const page = await openPage(browser);
  const aborts = countAborts(page);
  await arrive(["/hang.js", "/hang.wasm"], () => page.goto(`${url}/framed`));
  await page.reload();
  assert.ok(aborts.count >= 2, `the frame's requests were in flight: ${aborts.count} aborted`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("requests in flight when the page closes are not problems", async () => {
  const page = await openPage(browser);
  await arrive(["/hang.js", "/hang.wasm"], () => page.goto(`${url}/`));
  await page.close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a request the live page aborts is a problem", async () => {
  const page = await openPage(browser);
  await arrive(["/hang.data"], () => page.goto(`${url}/abortable`));
  const failed = page.waitForEvent("requestfailed");
  await page.evaluate(() => window.abort());
  await failed;
  assert.deepEqual(page.problems, [`request failed: ${url}/hang.data (net::ERR_ABORTED)`]);
  await page.context().close();
});

test("an abort during a navigation that keeps the document (204) is a problem", async () => {
  const page = await openPage(browser);
  await arrive(["/hang.data"], () => page.goto(`${url}/abortable`));
  const other = await page.context().newPage();
  await other.goto(`${url}/other`);
  let navigation;
  await arrive(["/204"], () => {
    navigation = page.goto(`${url}/204`).catch((error) => error);
  });
  // The navigation is in flight (the page's answer held back), and the page
  // (told by the other one: it cannot be reached until the navigation ends)
  // aborts its fetch: the abort waits for the navigation's outcome.
  const failed = page.waitForEvent("requestfailed");
  await other.evaluate(() => new BroadcastChannel("abort").postMessage("abort"));
  assert.match((await failed).url(), /\/hang\.data$/);
  assert.deepEqual(page.problems, []);
  // No content: the navigation fails, the document stays, the abort counts.
  for (const res of noContent) res.writeHead(204).end();
  noContent.clear();
  assert.match(String(await navigation), /ERR_ABORTED/);
  assert.deepEqual(page.problems.sort(), [
    `request failed: ${url}/204 (net::ERR_ABORTED)`,
    `request failed: ${url}/hang.data (net::ERR_ABORTED)`,
  ]);
  assert.equal(await page.evaluate(() => location.pathname), "/abortable");
  await page.context().close();
});
