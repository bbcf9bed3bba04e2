// Draws the app's PNG icons (www/icons/*.png, committed) from their SVG
// sources with Debian's Chromium, for the web app manifest and iOS:
//   node scripts/make-icons.mjs      (after npm ci in tests/e2e)
// icon.svg: the "any" icon, a rounded square; icon-maskable.svg: full
// bleed, the mark inside the central 80 % circle that masks may keep.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { chromium } = createRequire(join(root, "tests/e2e/package.json"))("playwright-core");
const icons = join(root, "www/icons");
const outputs = [
  ["icon.svg", 192, "icon-192.png"],
  ["icon.svg", 512, "icon-512.png"],
  ["icon-maskable.svg", 512, "icon-maskable-512.png"],
  ["icon-maskable.svg", 180, "apple-touch-icon.png"],
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  for (const [source, size, output] of outputs) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const svg = readFileSync(join(icons, source), "utf8");
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
    await page.screenshot({ path: join(icons, output), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
    console.log(`www/icons/${output}: ${size}×${size} from ${source}`);
  }
} finally {
  await browser.close();
}
