// Bundles src/editor.js into OUT_DIR/editor.bundle.js (default: the web app's static files).
// Deterministic: the same lockfile gives the same bytes (tests/platform/web/test_frontend_bundle.py
// compares a fresh build with the committed one). Run it through scripts/build_frontend.sh.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] || path.join(here, "..", "platform", "web", "static", "web"));

await build({
  absWorkingDir: here,
  entryPoints: ["src/editor.js"],
  outfile: path.join(outDir, "editor.bundle.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  charset: "utf8",
  legalComments: "eof",
  sourcemap: false,
  banner: { js: "/* Hotpath editor: CodeMirror 6 bundled from frontend/ by scripts/build_frontend.sh. Do not edit. */" },
  logLevel: "warning",
});
console.log(`built ${path.join(outDir, "editor.bundle.js")}`);
