// Writes DIR/sw.js, the service worker that makes a build work offline
// after its first visit (www/offline.js registers it):
//
//   node scripts/service-worker.mjs DIR [--dev]
//
// The worker precaches every file of the build (the app's wasm, JS and
// CSS, icons, the manifest, the core-only module env/, every built-in
// scenario file, the embed script and its example page) except sw.js
// itself and TypeScript declarations. Its cache is named after the build's
// version, a hash of every file's path and content: a new build is a new
// sw.js, which the browser installs beside the old one and which takes
// over only when the page asks (the "new version" notice), then deletes
// the old cache whole. Requests for anything else go to the network.
//
// --dev (Trunk's debug builds, `trunk serve`) writes a worker that caches
// nothing, deletes the caches of this folder, unregisters itself and
// reloads the pages it took over, so a release build once opened on the
// same address never serves stale files to a developer.
//
// Trunk's post_build hook (scripts/post-build) runs it last, when the
// staging folder holds the whole build.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join, relative, sep } from "node:path";

const [dir, flag] = process.argv.slice(2);
if (!dir || (flag !== undefined && flag !== "--dev")) {
  console.error("usage: node scripts/service-worker.mjs DIR [--dev]");
  process.exit(2);
}

/** Every file under `root`, as relative URL paths, sorted. */
function filesUnder(root, folder = root) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(root, path);
    return entry.isFile() ? [relative(root, path).split(sep).join("/")] : [];
  }).sort();
}

const precached = (path) => path !== "sw.js" && !path.endsWith(".d.ts");
const files = filesUnder(dir).filter(precached);
if (!files.includes("index.html")) {
  console.error(`${dir}: no index.html: not a build folder`);
  process.exit(1);
}
const digest = createHash("sha256");
for (const path of files) {
  digest.update(`${path}\0${createHash("sha256").update(readFileSync(join(dir, path))).digest("hex")}\n`);
}
const version = digest.digest("hex").slice(0, 16);

// Trunk names the files it hashes name-<16 hex>.ext: their content cannot
// change under their name, so the browser's HTTP cache may answer for them.
// Any other file is revalidated with the server while installing.
const hashed = (path) => /-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$/.test(path);

const common = String.raw`
// The caches of this build folder: "firedrill <scope> <version>". Caches
// are shared by the whole origin; the scope keeps two copies of the app
// (say /drills/ and /staging/) from deleting each other's.
const SCOPE = self.registration.scope;
const PREFIX = "firedrill " + SCOPE + " ";
const ourCaches = () => caches.keys().then((names) => names.filter((name) => name.startsWith(PREFIX)));
`;

const release = String.raw`// Firedrill's service worker, written by scripts/service-worker.mjs: do not edit.
// Precaches this build (version ${version}, ${files.length} files) and serves it
// from the cache, so the app works offline after its first visit.
"use strict";
const VERSION = "${version}";
const FILES = ${JSON.stringify(files, null, 2)};
const HASHED = new Set(${JSON.stringify(files.filter(hashed))});
${common}
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  // Every file or none: a build half cached would fail offline. A file
  // whose name carries its hash may come from the HTTP cache; any other is
  // revalidated with the server, so an old copy is never cached as new.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(FILES.map((file) => new Request(file, { cache: HASHED.has(file) ? "default" : "no-cache" })))
    ).catch((error) => caches.delete(CACHE).then(() => { throw error; }))
  );
  // No skipWaiting here: a new version waits until the page asks for it
  // (www/offline.js), never swapped under a running drill.
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    ourCaches()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

// What the cache holds for a request of this build: the file itself, or
// the file without the address's query (the app asks for
// scenarios/<file>.toml?v=<its hash>, and a page's address may carry
// ?pack=…, ?embed=1&drill=…: every file cached is this build's, so the
// query names what is cached already), and for a folder its index.html.
function cached(cache, request) {
  const url = new URL(request.url);
  url.search = "";
  url.hash = "";
  if (request.mode === "navigate" && url.pathname.endsWith("/")) url.pathname += "index.html";
  return cache.match(request, { ignoreVary: true })
    .then((hit) => hit || cache.match(url.href, { ignoreVary: true }));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!url.href.startsWith(SCOPE)) return; // not this build's: the network's
  event.respondWith(
    caches.open(CACHE).then((cache) => cached(cache, request)).then((hit) => hit || fetch(request))
  );
});
`;

const dev = String.raw`// Firedrill's service worker for development builds (trunk serve), written
// by scripts/service-worker.mjs: it caches nothing, deletes the caches a
// release build left on this address and unregisters itself.
"use strict";
${common}
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  // The pages a release worker was serving reload from the server.
  event.waitUntil(
    ourCaches()
      .then((names) => Promise.all(names.map((name) => caches.delete(name))))
      .then(() => self.registration.unregister())
      .then(() => self.clients.matchAll({ type: "window" }))
      .then((pages) => Promise.all(pages.map((page) => page.navigate(page.url))))
  );
});
`;

writeFileSync(join(dir, "sw.js"), flag === "--dev" ? dev : release);
console.log(flag === "--dev"
  ? `${dir}/sw.js: development worker (caches nothing)`
  : `${dir}/sw.js: version ${version}, ${files.length} files precached`);
