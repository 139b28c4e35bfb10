// The hostile-input corpus (testdata/hostile at the repository's root)
// through the real browser build: every policy and scenario of it goes to
// check, format, plan and simulate. No call may throw (the API promises
// {error, diagnostics} instead), use more than 10 s of CPU, or leave the module
// unable to answer the next call; failures are placed at FILE:LINE:COL or
// name their file; the module's memory stays under a budget.
//
//   wasm/build.sh && node --test wasm/test/
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "..", "dist");
const corpus = path.join(here, "..", "..", "testdata", "hostile");
const good = {
  policy: { "policy.hcl": readFileSync(path.join(corpus, "scenarios", "good", "policy.hcl"), "utf8") },
  scenario: readFileSync(path.join(corpus, "scenarios", "good", "scenario.hcl"), "utf8"),
};

// Work of one call on one hostile input, in CPU time (the machine may be
// shared, so wall time also counts waiting for a core); and a wall-time
// bound that catches a hang whatever the load.
const cpuMs = 10_000;
const wallMs = 60_000;
// The module's linear memory never shrinks: this bounds the most any
// hostile input made it grow to (wasm32's ceiling is 4 GiB).
const memoryBudget = 1 << 30;

let rw;
let memory;

before(async () => {
  const manifest = path.join(dist, "manifest.json");
  if (!existsSync(manifest)) throw new Error("wasm/dist/manifest.json is missing: run wasm/build.sh first");
  // The worker's module: the page's first one has no simulate.
  const { sim: wasm } = JSON.parse(readFileSync(manifest, "utf8"));
  createRequire(import.meta.url)(path.join(here, "..", ".build", "wasm_exec.js"));
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(dist, wasm)), go.importObject);
  go.run(instance);
  rw = globalThis.ringwise;
  memory = instance.exports.mem;
  assert.ok(rw, "ringwise.wasm did not register globalThis.ringwise");
});

// call runs fn, which must not throw, within the wall-time budget, and
// checks that the module still answers a good check afterwards.
function call(what, fn) {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let r;
  assert.doesNotThrow(() => { r = fn(); }, `${what} threw`);
  const cpu = process.cpuUsage(cpu0);
  const took = performance.now() - start;
  const used = (cpu.user + cpu.system) / 1000;
  assert.ok(used < cpuMs, `${what} used ${Math.round(used)} ms of CPU`);
  assert.ok(took < wallMs, `${what} took ${Math.round(took)} ms`);
  const after = rw.check(good.policy);
  assert.equal(after.ok, true, `after ${what} the module no longer checks a good policy: ${JSON.stringify(after)}`);
  return r;
}

// placed: a failure names its file, at FILE:LINE:COL where it has a line.
function placed(what, r, file) {
  if (!r || !r.error) return;
  const text = `${r.error}\n${r.diagnostics ?? ""}`;
  const at = new RegExp(`${file.replace(/[.]/g, "\\.")}(:\\d+:\\d+)?`);
  assert.match(text, at, `${what}: the failure does not name ${file}:\n${text.slice(0, 2000)}`);
}

const policies = readdirSync(path.join(corpus, "policies"))
  .filter((name) => statSync(path.join(corpus, "policies", name)).isFile());
const scenarios = readdirSync(path.join(corpus, "scenarios"))
  .filter((name) => !["good", "secret"].includes(name));

for (const name of policies) {
  test(`hostile policy ${name}`, () => {
    const src = readFileSync(path.join(corpus, "policies", name), "utf8");
    const files = { [name]: src };
    const c = call(`check ${name}`, () => rw.check(files));
    assert.equal(c.ok, false, `check accepted ${name}`);
    placed(`check ${name}`, c, name);
    placed(`format ${name}`, call(`format ${name}`, () => rw.format(name, src)), name);
    const p = call(`plan ${name}`, () => rw.plan(files, { start: "2026-12-18T09:00:00Z" }));
    assert.ok(p.error, `plan of ${name} gave a schedule`);
    placed(`plan ${name}`, p, name);
    const s = call(`simulate ${name}`, () => rw.simulate(files, good.scenario, { seed: 1 }));
    assert.ok(s.error, `simulate under ${name} ran`);
    placed(`simulate ${name}`, s, name);
  });
}

for (const name of scenarios) {
  test(`hostile scenario ${name}`, () => {
    const src = readFileSync(path.join(corpus, "scenarios", name, "scenario.hcl"), "utf8");
    const c = call(`checkScenario ${name}`, () => rw.checkScenario(src));
    const s = call(`simulate ${name}`, () => rw.simulate(good.policy, src, { seed: 1, runs: 2 }));
    // The page gives the policy itself: a scenario whose only fault is its
    // policy attribute (a path out) may check and run.
    if (!c.ok) placed(`checkScenario ${name}`, c, "scenario.hcl");
    if (s.error) placed(`simulate ${name}`, s, "scenario.hcl");
    for (const r of [c, s]) {
      const text = JSON.stringify(r);
      assert.ok(!text.includes("RINGWISE-CANARY"), `${name}: output holds a canary`);
      assert.ok(!/root:x?:0:0:/.test(text), `${name}: output holds /etc/passwd`);
    }
  });
}

test("the module's memory stayed under its budget", () => {
  assert.ok(memory, "the module exports no memory");
  const bytes = memory.buffer.byteLength;
  console.log(`# wasm linear memory after the corpus: ${Math.round(bytes / (1 << 20))} MiB (budget ${memoryBudget >> 20} MiB)`);
  assert.ok(bytes < memoryBudget, `${bytes} bytes`);
});
