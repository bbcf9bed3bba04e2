// Moves every inline <script type="module"> of an HTML file (Trunk's wasm
// loader) into a file beside it named after its content's hash, and points
// the tag at that file. Fails if any other inline script is left.
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";

const page = process.argv[2];
if (!page) {
  console.error("usage: node scripts/externalize-loader.mjs path/to/index.html");
  process.exit(2);
}
let html = readFileSync(page, "utf8");
let moved = 0;
html = html.replace(/<script type="module">([\s\S]*?)<\/script>/g, (_, code) => {
  const name = `loader-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
  writeFileSync(join(dirname(page), name), code.trim() + "\n");
  moved += 1;
  return `<script type="module" src="./${name}"></script>`;
});
const inline = html.match(/<script(?![^>]*\bsrc=)[^>]*>/g);
if (inline) {
  console.error(`${page}: inline scripts remain: ${inline.join(" ")}`);
  process.exit(1);
}
writeFileSync(page, html);
console.log(`${page}: ${moved} inline module script(s) moved to files`);
