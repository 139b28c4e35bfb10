// Writes the playground's static site to wasm/dist/ from what build.sh
// built in wasm/.build/: the three modules, the page's bundle (esbuild), the page and its icon.
// Every asset but the page has a content hash in its name, so a server may
// cache it forever; every compressible file gets precompressed .br and .gz
// siblings. dist/manifest.json lists the files with their sizes, for the
// tests and for anyone who wants to know what the page costs.
//
//   node build.mjs    (run by build.sh; RINGWISE_WASM_OPT=1 tries wasm-opt)
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, ".build");
const dist = path.join(here, "dist");
const web = path.join(here, "web");

const hash = (data) => createHash("sha256").update(data).digest("hex").slice(0, 12);
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;

// optimise runs wasm-opt on a Go module when RINGWISE_WASM_OPT=1 (after
// npm install --no-save binaryen) and keeps the result only when it is
// smaller. It is off by default: on ringwise.wasm, -O2 saves 3% of the raw
// bytes and nothing after brotli (1,785,731 -> 1,785,935 bytes), -Oz saves
// 8% raw and loses 1% after brotli, neither makes simulate measurably
// faster, and each takes minutes (wasm/README.md).
function optimise(name) {
  const src = path.join(build, name);
  if (process.env.RINGWISE_WASM_OPT !== "1") return readFileSync(src);
  const out = path.join(build, name.replace(/\.wasm$/, ".opt.wasm"));
  const t0 = Date.now();
  execFileSync(path.join(here, "node_modules", ".bin", "wasm-opt"), [
    "-O2", "--enable-bulk-memory", "--enable-sign-ext", "--enable-nontrapping-float-to-int", "--enable-mutable-globals",
    src, "-o", out,
  ], { stdio: "inherit" });
  const before = statSync(src).size, after = statSync(out).size;
  console.log(`wasm-opt ${name}: ${kb(before)} -> ${kb(after)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return readFileSync(after < before ? out : src);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const emit = (name, data) => writeFileSync(path.join(dist, name), data);

// The modules, named by their content.
const wasmName = {};
for (const [key, file] of [["wasm", "ringwise.wasm"], ["sim", "ringwise-sim.wasm"], ["gates", "ringwise-gates.wasm"]]) {
  const data = optimise(file);
  wasmName[key] = file.replace(/\.wasm$/, `-${hash(data)}.wasm`);
  emit(wasmName[key], data);
}

const common = {
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  sourcemap: false,
  legalComments: "eof",
  logLevel: "warning",
  loader: { ".hcl": "text", ".rego": "text" },
  define: {
    RINGWISE_WASM: JSON.stringify(wasmName.wasm),
    RINGWISE_SIM_WASM: JSON.stringify(wasmName.sim),
    RINGWISE_GATES_WASM: JSON.stringify(wasmName.gates),
  },
  // wasm_exec.js is Go's, copied by build.sh to match the Go that built the modules.
  alias: { "wasm_exec": path.join(build, "wasm_exec.js") },
  metafile: true,
  write: true,
  outdir: dist,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  assetNames: "[name]-[hash]",
};

// The worker first: the page needs its name.
const wr = await esbuild.build({ ...common, entryPoints: [path.join(web, "src", "worker.js")] });
const workerName = path.basename(Object.keys(wr.metafile.outputs).find((o) => o.endsWith(".js")));
const ar = await esbuild.build({
  ...common,
  entryPoints: [path.join(web, "src", "app.js")],
  splitting: true,
  define: { ...common.define, RINGWISE_WORKER: JSON.stringify(workerName) },
});
const [appOut, appMeta] = Object.entries(ar.metafile.outputs).find(([, m]) => m.entryPoint);
const appName = path.basename(appOut);
const cssName = path.basename(appMeta.cssBundle);

const icon = readFileSync(path.join(web, "favicon.svg"));
const iconName = `favicon-${hash(icon)}.svg`;
emit(iconName, icon);

// The page: the template with the hashed names; the module is preloaded so
// that its download starts with the page's, not after the script's.
let page = readFileSync(path.join(web, "index.html"), "utf8");
const swap = (from, to) => {
  if (!page.includes(from)) throw new Error(`web/index.html lacks ${from}`);
  page = page.replace(from, to);
};
swap(`href="favicon.svg"`, `href="${iconName}"`);
swap(`<link rel="stylesheet" href="style.css">`, `<link rel="stylesheet" href="${cssName}">`);
swap(`<script type="module" src="src/app.js"></script>`,
  `<link rel="preload" href="${wasmName.wasm}" as="fetch" type="application/wasm" crossorigin>\n` +
  `<script type="module" src="${appName}"></script>`);
emit("index.html", page);

// Precompressed siblings, compressed in parallel (zlib runs off the main
// thread). Brotli at its best quality for everything but the gates module,
// whose 40 MB would take minutes at 11.
const brotli = promisify(zlib.brotliCompress), gzip = promisify(zlib.gzip);
const files = readdirSync(dist).filter((f) => /\.(html|js|css|wasm|svg)$/.test(f)).sort();
const manifest = { page: "index.html", wasm: wasmName.wasm, sim: wasmName.sim, gates: wasmName.gates, worker: workerName, app: appName, css: cssName, firstLoad: [], files: {} };
// A hashed name stands for its content, so its compressed forms are kept
// in .build/compressed/ for the next build.
const cache = path.join(build, "compressed");
mkdirSync(cache, { recursive: true });
const cached = async (name, make) => {
  if (!/-[0-9A-Za-z]{8,}\./.test(name)) return make();
  const file = path.join(cache, name);
  if (existsSync(file)) return readFileSync(file);
  const data = await make();
  writeFileSync(file, data);
  return data;
};
await Promise.all(files.map(async (f) => {
  const data = readFileSync(path.join(dist, f));
  const quality = f.startsWith("ringwise-gates-") ? 9 : 11;
  const [br, gz] = await Promise.all([
    cached(f + ".br", () => brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } })),
    cached(f + ".gz", () => gzip(data, { level: 9 })),
  ]);
  emit(f + ".br", br);
  emit(f + ".gz", gz);
  manifest.files[f] = { bytes: data.length, br: br.length, gz: gz.length };
}));
manifest.files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b)));

for (const [f, s] of Object.entries(manifest.files)) console.log(`dist/${f}: ${kb(s.bytes)}, ${kb(s.br)} brotli, ${kb(s.gz)} gzip`);
// What the page loads before it is ready: itself, its icon, style, script
// (with the chunks that imports statically) and the first module.
const staticChunks = (appMeta.imports || []).filter((i) => i.kind === "import-statement").map((i) => path.basename(i.path));
const first = ["index.html", iconName, cssName, appName, ...staticChunks, wasmName.wasm];
manifest.firstLoad = first;
console.log(`first load (${first.join(", ")}): ${kb(first.reduce((n, f) => n + manifest.files[f].br, 0))} brotli`);
emit("manifest.json", JSON.stringify(manifest, null, 2) + "\n");
