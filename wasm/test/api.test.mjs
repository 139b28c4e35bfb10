// Tests of the real browser build: loads the module that wasm/build.sh
// wrote to wasm/dist/ (named in dist/manifest.json) with Go's wasm_exec.js,
// as the page does, and calls globalThis.ringwise.
//
//   wasm/build.sh && node --test wasm/test/
//
// The simulation must equal the native CLI's JSON. scripts/check passes
// that JSON in RINGWISE_EXPECTED_SIMULATE (and the plan's in
// RINGWISE_EXPECTED_PLAN); without them the test runs the CLI with go run.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.join(here, "..", "web");
const dist = path.join(here, "..", "dist");
const examples = path.join(web, "examples");
const example = (name) => readFileSync(path.join(examples, name), "utf8");

const policy = { "recommended.hcl": example("recommended.hcl") };
const scenario = example("scenario.hcl");
const planStart = "2026-12-18T09:00:00Z";

// expected returns the native CLI's JSON output for args, run in the
// examples directory so that file names in reasons match the playground's.
function expected(env, args) {
  if (process.env[env]) return JSON.parse(readFileSync(process.env[env], "utf8"));
  const out = execFileSync("go", ["run", "../../../cmd/ringwise", ...args], { cwd: examples, encoding: "utf8" });
  return JSON.parse(out);
}

let rw;
let firstModule;

before(async () => {
  const manifest = path.join(dist, "manifest.json");
  if (!existsSync(manifest)) throw new Error("wasm/dist/manifest.json is missing: run wasm/build.sh first");
  // The worker's module: the first module's API plus simulate.
  const { wasm, sim } = JSON.parse(readFileSync(manifest, "utf8"));
  firstModule = wasm;
  // wasm_exec.js defines globalThis.Go; Node >= 18 has the crypto,
  // performance and TextEncoder globals it needs.
  createRequire(import.meta.url)(path.join(here, "..", ".build", "wasm_exec.js"));
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(dist, sim)), go.importObject);
  go.run(instance); // returns once main waits for calls
  rw = globalThis.ringwise;
  assert.ok(rw, "ringwise.wasm did not register globalThis.ringwise");
});

const position = (file) => new RegExp(`^${file.replace(/[.]/g, "\\.")}:\\d+:\\d+: `, "m");

test("check: the example policy is ok", () => {
  const r = rw.check(policy);
  assert.deepEqual(r, { ok: true, rollouts: ["recommended"], tenants: 0, gates: false, diagnostics: "", problems: [] });
  assert.equal(rw.gates, false, "the first module leaves OPA out");
  const both = rw.check({ ...policy, "all-at-once.hcl": example("all-at-once.hcl") });
  assert.deepEqual(both.rollouts, ["all-at-once", "recommended"]);
});

test("check: a broken policy gets FILE:LINE:COL diagnostics", () => {
  const r = rw.check({ "broken.hcl": policy["recommended.hcl"].replace("steps       = [100]", "steps       = [100, 50]") });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics, position("broken.hcl"));
  assert.match(r.diagnostics, /Invalid steps/);
  assert.match(r.diagnostics, /\n {4}.*steps {7}= \[100, 50\]\n {4} *\^+\n/);
  assert.match(r.error, position("broken.hcl"));
  // The problem is placed for the editor, in JavaScript string offsets.
  const src = policy["recommended.hcl"].replace("steps       = [100]", "steps       = [100, 50]");
  const [p] = r.problems;
  assert.equal(p.file, "broken.hcl");
  assert.equal(p.severity, "error");
  assert.equal(src.slice(p.from, p.to), "50");
  assert.equal(src.split("\n")[p.line - 1].includes("[100, 50]"), true);
});

test("check: offsets count UTF-16 code units, as JavaScript strings do", () => {
  const src = '# 🚀 café\nrollout "x" {\n  ring "a" {\n    steps = [100]\n    bake  = "soon"\n  }\n}\n';
  const r = rw.check({ "p.hcl": src });
  const p = r.problems.find((x) => x.file === "p.hcl");
  assert.equal(src.slice(p.from, p.to), '"soon"');
});

test("checkScenario: the update, or problems placed in scenario.hcl", () => {
  const ok = rw.checkScenario(scenario);
  assert.equal(ok.ok, true);
  assert.equal(ok.kind, "content");
  assert.equal(ok.release, "2024-07-19T04:09:00Z");
  const bad = rw.checkScenario(scenario.replace('horizon     = "14d"', 'horizon     = "a fortnight"'));
  assert.equal(bad.ok, false);
  assert.equal(bad.problems[0].file, "scenario.hcl");
});

test("check: a gate needs the gates module, and check says the policy has one", () => {
  const src = 'rollout "g" {\n  ring "all" {\n    steps = [100]\n    bake  = "1h"\n  }\n  gate "freeze" {\n    rego = ["freeze.rego"]\n  }\n}\n';
  const r = rw.check({ "g.hcl": src });
  assert.equal(r.ok, false);
  assert.equal(r.gates, true);
  assert.match(r.diagnostics, /^g\.hcl:6:3: Rego gates need the gates module: /);
});

test("bad arguments come back as {error}, never thrown", () => {
  for (const [name, args] of [
    ["check", []],
    ["check", ["not an object"]],
    ["check", [{ "p.hcl": 42 }]],
    ["check", [{ "../p.hcl": "" }]],
    ["format", [1, 2]],
    ["plan", [policy, { start: "tomorrow" }]],
    ["plan", [policy, { urgency: "whenever" }]],
    ["plan", [policy, "options?"]],
    ["simulate", [policy, 42, {}]],
    ["simulate", [policy, scenario, { seed: -1 }]],
    ["simulate", [policy, scenario, { runs: 1e6 }]],
    ["simulate", [{}, scenario, {}]],
  ]) {
    const r = rw[name](...args);
    assert.equal(typeof r.error, "string", `${name}(${JSON.stringify(args).slice(0, 60)}) = ${JSON.stringify(r)}`);
    assert.ok(r.error.length > 0);
  }
});

test("format", () => {
  assert.deepEqual(rw.format("p.hcl", 'rollout "x" {\nring "a" {\nsteps = [100]\nbake = "1h"\n}\n}\n'), {
    source: 'rollout "x" {\n  ring "a" {\n    steps = [100]\n    bake  = "1h"\n  }\n}\n',
  });
  const r = rw.format("p.hcl", 'rollout "x" {\n  steps = [\n');
  assert.match(r.diagnostics, position("p.hcl"));
});

test("plan: the schedule as ringwise plan -json prints it", () => {
  const r = rw.plan(policy, { kind: "content", start: planStart });
  assert.ok(r.steps.length > 0);
  assert.deepEqual(Object.keys(r), ["rollout", "start", "steps", "complete"]);
  assert.deepEqual(r.steps[0], { ring: "canary", step: 1, percent: 100, start: planStart, offset_seconds: 0, bake_seconds: 1200, notes: ["cover os_build"] });
  assert.deepEqual(r, expected("RINGWISE_EXPECTED_PLAN", ["plan", "-json", "-kind", "content", "-start", planStart, "recommended.hcl"]));
});

test("simulate: seed 1 gives the native CLI's JSON, plus svg and text", () => {
  const t0 = performance.now();
  const r = rw.simulate(policy, scenario, { seed: 1 });
  const ms = performance.now() - t0;
  assert.equal(r.error, undefined, r.diagnostics || r.error);
  const { svg, csv, text, ...report } = r;
  assert.match(svg, /^<svg /);
  assert.match(csv, /^t_seconds,|^t,/);
  assert.match(text, /^scenario crowdstrike-2024-small under rollout "recommended"/);
  assert.match(text, /decisions \(seed 1\)/);
  assert.deepEqual(report, expected("RINGWISE_EXPECTED_SIMULATE",
    ["simulate", "-json", "-seed", "1", "-policy", "recommended.hcl", "scenario.hcl"]));
  // The same again: nothing carries over between calls.
  assert.deepEqual(rw.simulate(policy, scenario, { seed: 1 }), r);
  assert.ok(ms < 20000, `simulate took ${Math.round(ms)} ms`);
});

test("simulate: progress(done, total) from 0 to the runs, and the same report", () => {
  const seen = [];
  const r = rw.simulate(policy, scenario, { seed: 3, runs: 3 }, (done, total) => seen.push([done, total]));
  assert.deepEqual(seen, [[0, 3], [1, 3], [2, 3], [3, 3]]);
  assert.deepEqual(r, rw.simulate(policy, scenario, { seed: 3, runs: 3 }));
});

// The full module (ringwise-gates.wasm: Rego gates and review) gives the
// pull-request comment of ringwise review, byte for byte.
test("full module: compare is the comment ringwise review posts", async () => {
  const { gates } = JSON.parse(readFileSync(path.join(dist, "manifest.json"), "utf8"));
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(dist, gates)), go.importObject);
  const first = globalThis.ringwise;
  go.run(instance);
  const full = globalThis.ringwise;
  globalThis.ringwise = first;
  assert.equal(full.gates, true);
  const base = { "all-at-once.hcl": example("all-at-once.hcl") };
  const r = full.compare(base, policy, scenario, { seed: 1, runs: 6 });
  assert.equal(r.error, undefined, r.error);
  const args = ["review", "-base", "all-at-once.hcl", "-head", "recommended.hcl", "-runs", "6", "-seed", "1", "scenario.hcl"];
  const want = process.env.RINGWISE_CLI
    ? execFileSync(process.env.RINGWISE_CLI, args, { cwd: examples, encoding: "utf8" })
    : execFileSync("go", ["run", "../../../cmd/ringwise", ...args], { cwd: examples, encoding: "utf8" });
  assert.equal(r.markdown, want);
  // And the gated example runs its Rego.
  const gated = {
    "gated.hcl": example("gated.hcl"),
    "gates/freeze.rego": example("gates/freeze.rego"),
    "gates/holidays.json": example("gates/holidays.json"),
  };
  const c = full.check(gated);
  assert.equal(c.ok, true, c.diagnostics);
  assert.equal(c.gates, true);
});

// The page's first module checks, formats and plans like the worker's, and
// leaves the simulator out.
test("first module: check, format and plan as the worker's module; no simulate", async () => {
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(dist, firstModule)), go.importObject);
  const sim = globalThis.ringwise;
  go.run(instance);
  const first = globalThis.ringwise;
  globalThis.ringwise = sim;
  assert.equal(first.simulate, undefined);
  assert.deepEqual(first.check(policy), sim.check(policy));
  assert.deepEqual(first.checkScenario(scenario), sim.checkScenario(scenario));
  assert.deepEqual(first.plan(policy, { kind: "content", start: planStart }), sim.plan(policy, { kind: "content", start: planStart }));
  assert.deepEqual(first.format("p.hcl", policy["recommended.hcl"]), sim.format("p.hcl", policy["recommended.hcl"]));
});
