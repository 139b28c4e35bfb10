// The ringwise playground. ringwise.wasm (the Go engine and simulator)
// answers check, format and plan on the page's thread as you type; a
// worker runs simulations with progress and Cancel. Policies with a gate
// block make the page load ringwise-gates.wasm, the build with OPA.
// Nothing leaves the page: the share link carries the files in the URL
// fragment, and edits are autosaved in localStorage.
import "uplot/dist/uPlot.min.css"; // small; the chart script itself loads with the first result
import "../style.css";
import { compile, start } from "./runtime.js";
import { newState, newView, replaceDoc, diagnostics, forceLinting, applyTheme } from "./editor.js";
import * as store from "./state.js";
import { clock, duration, utc, el, table } from "./format.js";
import recommended from "../examples/recommended.hcl";
import allAtOnce from "../examples/all-at-once.hcl";
import gated from "../examples/gated.hcl";
import freezeRego from "../examples/gates/freeze.rego";
import holidays from "../examples/gates/holidays.json";
import scenarioExample from "../examples/scenario.hcl";

/* global RINGWISE_WASM, RINGWISE_SIM_WASM, RINGWISE_GATES_WASM, RINGWISE_WORKER */

const $ = (id) => document.getElementById(id);
const SCENARIO = "scenario.hcl";
const BASE = "base.hcl";

const examples = {
  recommended: { "recommended.hcl": recommended },
  "all-at-once": { "all-at-once.hcl": allAtOnce },
  gated: { "gated.hcl": gated, "gates/freeze.rego": freezeRego, "gates/holidays.json": JSON.stringify(holidays, null, 2) + "\n" },
};

// ---- status ----------------------------------------------------------------

function status(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = "status" + (kind ? " " + kind : "");
}

// ---- the modules -----------------------------------------------------------

// Compiled WebAssembly.Modules: main (check, format, plan) runs on this
// thread; sim (and simulate) in the worker, fetched once the page is
// ready; gates (and Rego, and review) when a policy or compare needs it.
const modules = { main: null, sim: null, gates: null };
let simLoading = null;
const loadSim = () => (simLoading ||= compile(RINGWISE_SIM_WASM).then((m) => (modules.sim = m)));
let api = null; // the ringwise object of the module in use on this thread
let gatesApi = null;
let gatesLoading = null;

async function loadGates() {
  if (gatesApi) return gatesApi;
  if (!gatesLoading) {
    gatesLoading = (async () => {
      status("Loading the full module (Rego gates, with OPA, and review)…");
      const t0 = performance.now();
      let last = 0;
      modules.gates = await compile(RINGWISE_GATES_WASM, (got, total) => {
        if (got - last > 512 * 1024) {
          last = got;
          status(`Loading the full module: ${(got / 1048576).toFixed(1)}${total ? " of " + (total / 1048576).toFixed(1) : ""} MB…`);
        }
      });
      gatesApi = await start(modules.gates);
      status(`Full module loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`, "good");
      return gatesApi;
    })().catch((e) => {
      gatesLoading = null;
      status("Cannot load the full module: " + e.message, "bad");
      throw e;
    });
  }
  return gatesLoading;
}

// ---- files and editors -----------------------------------------------------

const files = new Map(); // policy file name -> EditorState (the active one's is in the view)
let active = "";
let policyView, scenarioView, baseView;
let example = "recommended";
let pristine = ""; // the files as the example had them: edits differ

function policyFiles() {
  const out = {};
  for (const [name, st] of files) out[name] = (name === active ? policyView.state : st).doc.toString();
  return out;
}

function snapshot() {
  return {
    files: policyFiles(),
    active,
    scenario: scenarioView.state.doc.toString(),
    base: $("compare").checked ? baseView.state.doc.toString() : undefined,
    options: { seed: $("seed").value, runs: $("runs").value, urgency: $("urgency").value, start: $("start").value },
    example,
  };
}

const contentKey = (s) => JSON.stringify([s.files, s.scenario]);
const dirty = () => contentKey(snapshot()) !== pristine;

function stateFor(name, doc) {
  return newState({
    doc,
    name,
    label: `Policy file ${name}`,
    lint: (view) => lintFile(name, view),
    onChange: changed,
    run: simulate,
  });
}

function setFiles(map, activeName) {
  files.clear();
  for (const name of Object.keys(map)) files.set(name, stateFor(name, map[name]));
  active = files.has(activeName) ? activeName : Object.keys(map)[0];
  policyView.setState(files.get(active));
  applyTheme(policyView);
  renderTabs();
}

function switchTo(name) {
  if (name === active || !files.has(name)) return;
  files.set(active, policyView.state);
  active = name;
  policyView.setState(files.get(name));
  applyTheme(policyView);
  renderTabs();
  $("tab-" + CSS.escape(name))?.focus();
}

function renderTabs() {
  const names = [...files.keys()];
  $("tabs").replaceChildren(...names.map((name, i) => el("button", {
    id: "tab-" + name,
    class: "tab",
    role: "tab",
    "aria-selected": String(name === active),
    "aria-controls": "policy-editor",
    tabindex: name === active ? "0" : "-1",
    onclick: () => switchTo(name),
    onkeydown: (e) => {
      const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (d) switchTo(names[(i + d + names.length) % names.length]);
    },
  }, name)));
  $("policy-editor").setAttribute("role", "tabpanel");
  $("policy-editor").setAttribute("aria-labelledby", "tab-" + active);
}

// ---- analysis: check, plan ------------------------------------------------

let analysed = { key: "", value: null };

// analyse checks the policy and the scenario and plans the rollout the
// scenario would run, once per content: the linters and the plan share it.
function analyse() {
  const s = snapshot();
  const key = JSON.stringify([s.files, s.scenario, s.options.urgency, s.options.start, s.base, !!gatesApi]);
  if (analysed.key === key) return analysed.value;
  const rw = gatesApi || api;
  // Rego and data files are for the gates module; until it is there, the
  // policy files alone say whether it is needed.
  const isPolicy = (name) => /\.hcl(\.json)?$/.test(name);
  const loadable = gatesApi ? s.files : Object.fromEntries(Object.entries(s.files).filter(([n]) => isPolicy(n)));
  const check = rw.check(loadable);
  if (check.gates && !gatesApi) {
    // "Rego gates need the gates module": it is on its way.
    check.problems = (check.problems || []).filter((p) => !/^Rego gates need the gates module/.test(p.message));
    check.loadingGates = true;
  }
  const scen = rw.checkScenario(s.scenario);
  let base = null;
  if (s.base !== undefined) base = rw.check({ [BASE]: s.base });
  let plan = null;
  if (check.ok && scen.ok) {
    plan = rw.plan(loadable, {
      kind: scen.kind,
      rollout: scen.rollout,
      urgency: s.options.urgency.trim() || scen.urgency,
      start: s.options.start.trim() || scen.release,
    });
  }
  const value = { key, check, scen, base, plan, gates: check.gates };
  analysed = { key, value };
  if (check.gates && !gatesApi) {
    loadGates().then(() => {
      forceLinting(policyView);
      refresh();
    }, () => {});
  }
  return value;
}

function lintFile(name, view) {
  if (!api || name !== active) return [];
  const a = analyse();
  const problems = [...(a.check.problems || [])];
  if (a.plan && a.plan.error) problems.push(...(a.plan.problems || []));
  return diagnostics(problems, name, view.state.doc);
}

function lintScenario(view) {
  if (!api) return [];
  return diagnostics(analyse().scen.problems, SCENARIO, view.state.doc);
}

function lintBase(view) {
  if (!api || !$("compare").checked) return [];
  return diagnostics(analyse().base?.problems, BASE, view.state.doc);
}

// ---- live output -----------------------------------------------------------

let timer = 0;
let lastSim = null; // {key, result}

function changed() {
  // Until the new plan is computed, the old one is marked as pending.
  $("plan-pane").classList.add("pending");
  $("plan-title").dataset.pending = "updating…";
  markSimStale();
  clearTimeout(timer);
  timer = setTimeout(refresh, 250);
}

function simKey() {
  const s = snapshot();
  return JSON.stringify([s.files, s.scenario, s.options.seed, s.options.runs, s.base]);
}

function markSimStale() {
  for (const [last, pane, note] of [[lastSim, "sim-pane", "sim-stale"], [lastCompare, "compare-pane", "compare-stale"]]) {
    if (!last) continue;
    const stale = last.key !== simKey();
    $(pane).classList.toggle("stale-pane", stale);
    $(note).hidden = !stale;
    $(note).textContent = "These results are for an earlier version of the files or options. Run again (Ctrl+Enter) to update them.";
  }
}

let lastCompare = null;

// showComparison renders the review comment (Markdown, as ringwise review
// posts it on a pull request) as HTML. Raw HTML in it is escaped, except
// the <sub> the comment uses: policy names and reasons come from the
// files, which a share link may have brought.
async function showComparison(r, key, ms) {
  if (r.error) {
    status("Cannot compare: " + r.error, "bad");
    return;
  }
  const { Marked } = await import("marked");
  const escape = (t) => t.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const md = new Marked();
  md.use({
    renderer: {
      html: (token) => (/^<\/?sub>$/.test(token.text.trim()) ? token.text : /^<!--[\s\S]*-->\s*$/.test(token.text) ? "" : escape(token.text)),
      // GitHub draws the comment's Mermaid charts; here their source is
      // folded away (the chart above shows a simulation's timeline).
      code: (token) => token.lang === "mermaid"
        ? `<details class="mermaid"><summary>chart source (Mermaid, drawn by GitHub)</summary><pre><code>${escape(token.text)}</code></pre></details>`
        : false,
    },
  });
  lastCompare = { key, result: r };
  $("compare-pane").hidden = false;
  $("compare-body").innerHTML = md.parse(r.markdown);
  $("compare-note").textContent = "(the comment ringwise review posts on a pull request)";
  markSimStale();
  status(`Compared in ${ms} ms: ${(/\*\*([^*]+)\*\*/.exec(r.markdown) || [, "done"])[1]}`, "good");
}

function refresh() {
  clearTimeout(timer);
  if (!api) return;
  const a = analyse();
  renderProblems(a);
  renderPlan(a);
  markSimStale();
  store.save(snapshot());
  $("example").value = example;
}

function renderProblems(a) {
  const list = [];
  const add = (problems, where) => {
    for (const p of problems || []) list.push({ ...p, where });
  };
  add(a.check.problems, "policy");
  if (!a.check.ok && !a.check.loadingGates && !(a.check.problems || []).length && a.check.error) list.push({ message: a.check.error, severity: "error", where: "policy" });
  add(a.scen.problems, "scenario");
  if (a.base) add(a.base.problems, "base");
  if (a.plan && a.plan.error) list.push({ message: a.plan.error, severity: "error", where: "policy" });
  $("problems").hidden = list.length === 0;
  $("problem-list").replaceChildren(...list.map((p) => el("li", { class: p.severity },
    el("button", {
      class: "link",
      onclick: () => reveal(p),
      disabled: !p.file,
    }, p.file ? `${p.file}:${p.line}:${p.column}` : p.where),
    " ", p.severity === "warning" ? "warning: " : "", p.message)));
}

// reveal moves the cursor of the problem's editor to it.
function reveal(p) {
  let view = null;
  if (p.file === SCENARIO) view = scenarioView;
  else if (p.file === BASE) view = baseView;
  else if (files.has(p.file)) {
    switchTo(p.file);
    view = policyView;
  }
  if (!view) return;
  const pos = Math.min(p.from, view.state.doc.length);
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}

function renderPlan(a) {
  const pane = $("plan-pane");
  pane.classList.remove("pending");
  delete $("plan-title").dataset.pending;
  const p = a.plan;
  if (!p || p.error) {
    // The last good plan stays, marked as stale, or nothing is shown.
    const had = $("plan-table").rows.length > 0;
    pane.classList.toggle("stale-pane", had);
    $("plan-stale").hidden = false;
    const why = a.check.loadingGates && !(a.check.problems || []).some((p) => p.severity === "error")
      ? "the policy has a gate: the plan comes once the gates module is loaded."
      : "fix the problems above.";
    $("plan-stale").textContent = had ? "Out of date: this is the plan of an earlier version; " + why : "No plan yet: " + why;
    return;
  }
  pane.classList.remove("stale-pane");
  $("plan-stale").hidden = true;
  const urgency = $("urgency").value.trim() || a.scen.urgency || "routine";
  $("plan-title").textContent = `rollout "${p.rollout}", ${a.scen.kind ? "a " + a.scen.kind + " update, " : ""}urgency ${urgency}, from ${utc(p.start)}`;
  table($("plan-table"), ["ring", "step", "percent", "start (UTC)", "offset", "bake", "notes"], p.steps.map((s) => [
    s.ring, s.step, s.percent + "%", s.start.replace("T", " ").replace("Z", ""), clock(s.offset_seconds), duration(s.bake_seconds),
    el("td", { class: "reasons" }, [...(s.notes || []), ...(s.delays || [])].join("; ")),
  ]));
  $("plan-complete").textContent = `complete ${utc(p.complete)} (${clock((Date.parse(p.complete) - Date.parse(p.start)) / 1000)}), assuming healthy signals${a.gates ? ", gates passing" : ""} and approvals granted at once`;
}

// ---- simulation (in a worker) ---------------------------------------------

let worker = null; // {w, kind}
let running = null; // {id, key, t0}
let jobs = 0;
let chart = null;
let chartModule = null;
const charts = () => (chartModule ||= import("./chart.js"));

function workerFor(kind) {
  if (worker && worker.kind === kind) return { w: worker.w, fresh: false };
  if (worker) worker.w.terminate();
  worker = { w: new Worker(new URL(RINGWISE_WORKER, import.meta.url), { type: "module" }), kind };
  return { w: worker.w, fresh: true };
}

let preparing = false; // a run waits for its module

async function simulate() {
  if (!api || running || preparing) return;
  preparing = true;
  try {
    await run();
  } finally {
    preparing = false;
  }
}

async function run() {
  clearTimeout(timer);
  const a = analyse();
  refresh();
  if (!a.check.ok || !a.scen.ok) {
    status("Fix the problems first: " + (a.check.error || a.scen.error), "bad");
    return;
  }
  const comparing = $("compare").checked;
  if (comparing && a.base && !a.base.ok) {
    status("Fix the base policy first: " + a.base.error, "bad");
    return;
  }
  // Gates and compare (review) are in the full module.
  const kind = a.gates || comparing ? "gates" : "main";
  if (kind === "gates") {
    try {
      await loadGates();
    } catch {
      return;
    }
  }
  if (kind === "main") {
    try {
      await loadSim();
    } catch (e) {
      simLoading = null;
      status("Cannot load the simulator: " + e.message, "bad");
      return;
    }
  }
  const s = snapshot();
  let runs = Math.max(1, Math.min(1000, Number(s.options.runs) || 1));
  // A comparison needs runs to tell a change from noise: review's 20,
  // unless Runs asks for more.
  if (comparing && runs < 20) runs = 20;
  const options = { seed: s.options.seed.trim() || "1", runs };
  const { w, fresh } = workerFor(kind);
  const id = ++jobs;
  running = { id, key: simKey(), t0: performance.now(), runs, comparing };
  busy(true);
  const total = comparing ? 2 * runs : runs;
  $("progress").value = 0;
  $("progress-text").textContent = `0 of ${total} runs`;
  status(comparing ? `Comparing base and policy over ${runs} runs each…` : runs > 1 ? `Simulating ${runs} runs…` : "Simulating…");
  w.onmessage = (e) => {
    const m = e.data;
    if (!running || m.id !== running.id) return;
    if (m.type === "progress") {
      $("progress").value = m.done / m.total;
      $("progress-text").textContent = `${m.done} of ${m.total} runs`;
      return;
    }
    const ms = Math.round(performance.now() - running.t0);
    const key = running.key;
    const wasComparing = running.comparing;
    running = null;
    busy(false);
    if (wasComparing) showComparison(m.result, key, ms);
    else showSimulation(m.result, key, ms);
  };
  w.onerror = (e) => {
    running = null;
    busy(false);
    status("The simulation failed: " + (e.message || "worker error"), "bad");
  };
  w.postMessage({
    id, op: comparing ? "compare" : "simulate", module: fresh ? modules[kind === "main" ? "sim" : kind] : null,
    files: s.files, base: comparing ? { [BASE]: s.base } : null, scenario: s.scenario, options,
  });
}

function cancel() {
  if (!running) return;
  worker.w.terminate();
  worker = null;
  const done = $("progress-text").textContent;
  running = null;
  busy(false);
  status(`Simulation cancelled (${done}).`);
}

function busy(on) {
  $("simulate").disabled = on;
  $("cancel").hidden = !on;
  $("progress-row").hidden = !on;
  document.body.classList.toggle("busy", on);
  if (!on && document.activeElement === document.body) $("simulate").focus();
}

const metricNames = [
  ["hosts", "hosts"], ["exposed", "exposed"], ["failed", "failed"], ["failed_peak", "failed at peak"],
  ["manual_repairs", "repaired by hand"], ["host_hours_down", "host-hours down"],
  ["detected_after_seconds", "detected after"], ["halted_after_seconds", "halted after"], ["rolled_back", "rolled back"],
  ["coverage_50_seconds", "50% updated"], ["coverage_95_seconds", "95% updated"], ["coverage_99_seconds", "99% updated"],
  ["recovered_99_seconds", "99% recovered"], ["outage_seconds", "outage (≥10% down)"],
];

function metric(name, v) {
  if (v === null || v === undefined) return "never";
  if (name === "rolled_back") return v === true || v === 1 ? "yes" : v === false || v === 0 ? "no" : v.toPrecision(3);
  if (name.endsWith("_seconds")) return clock(Math.round(v));
  return Math.round(v).toLocaleString("en-US");
}

function showSimulation(r, key, ms) {
  if (r.error) {
    status(r.error, "bad");
    if (r.problems) {
      analysed.value && renderProblems({ ...analysed.value, scen: { ...analysed.value.scen, problems: [...(analysed.value.scen.problems || []), ...r.problems] } });
    }
    return;
  }
  lastSim = { key, result: r };
  $("sim-pane").hidden = false;
  const run = r.runs[0];
  $("sim-title").textContent = `${r.scenario} under "${r.policy}", seed ${r.seed}, ${r.runs.length} run${r.runs.length === 1 ? "" : "s"} (chart and log: run 1)`;
  // uPlot loads with the first result: the first load does without it.
  charts().then(({ draw }) => {
    if (lastSim && lastSim.result === r) chart = draw($("chart"), run);
  }, (e) => status("Cannot load the chart: " + e.message, "bad"));
  if (r.runs.length === 1) {
    $("metrics").hidden = true;
    $("cards").hidden = false;
    $("cards").replaceChildren(...metricNames.map(([k, label]) =>
      el("div", { class: "card" + (k === "failed" && run.failed > 0 ? " bad" : "") }, el("span", null, label), el("b", { "data-metric": k }, metric(k, run[k])))));
  } else {
    $("cards").hidden = true;
    $("metrics").hidden = false;
    table($("metrics"), ["", "p50", "p95", "max"], metricNames.map(([k, label]) => {
      const q = r.aggregate[k] || {};
      return [label, metric(k, q.p50), metric(k, q.p95), metric(k, q.max)];
    }));
  }
  $("log-note").textContent = `(seed ${run.seed}; repeated holds kept once)`;
  table($("decisions"), ["time", "action", "ring", "step", "why"], run.decisions.map((d) => [
    clock(d.t),
    el("td", null, el("span", { class: "action " + d.action }, d.action)),
    d.ring || "",
    d.step || "",
    el("td", { class: "reasons" }, ...(d.reasons || []).flatMap((x, i) => (i ? [el("br"), x] : [x]))),
  ]));
  $("text").textContent = r.text;
  markSimStale();
  status(`Simulated ${run.hosts.toLocaleString("en-US")} hosts, ${r.runs.length} run${r.runs.length === 1 ? "" : "s"} in ${ms} ms: ${run.failed.toLocaleString("en-US")} failed, ended ${run.end.replace(/_/g, " ")}`,
    run.failed > 0.01 * run.hosts ? "bad" : "good");
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function report(r) {
  const { svg, csv, text, ...rest } = r;
  return JSON.stringify(rest, null, 2) + "\n";
}

// ---- share, autosave, examples --------------------------------------------

async function share() {
  const url = location.origin + location.pathname + location.search + store.encode(snapshot());
  history.replaceState(null, "", url);
  try {
    await navigator.clipboard.writeText(url);
    status("Link copied: it restores the files and options (nothing is uploaded; they are in the link).", "good");
  } catch {
    status("The link is in the address bar: copy it from there.", "good");
  }
}

function apply(s) {
  setFiles(s.files, s.active);
  scenarioView.dispatch({ changes: { from: 0, to: scenarioView.state.doc.length, insert: s.scenario } });
  const o = s.options || {};
  $("seed").value = o.seed ?? "1";
  $("runs").value = o.runs ?? "1";
  $("urgency").value = o.urgency ?? "";
  $("start").value = o.start ?? "";
  example = examples[s.example] ? s.example : "recommended";
  pristine = contentKey({ files: examples[example], scenario: scenarioExample });
  $("compare").checked = s.base !== undefined;
  if (s.base !== undefined) baseView.dispatch({ changes: { from: 0, to: baseView.state.doc.length, insert: s.base } });
  compareMode();
}

function loadExample(name) {
  example = name;
  setFiles(examples[name], Object.keys(examples[name])[0]);
  scenarioView.dispatch({ changes: { from: 0, to: scenarioView.state.doc.length, insert: scenarioExample } });
  pristine = contentKey({ files: examples[name], scenario: scenarioExample });
}

function chooseExample() {
  const name = $("example").value;
  if (name === example && !dirty()) return;
  if (dirty() && !confirm(`Replace your edited files with the example "${$("example").selectedOptions[0].text}"? (Undo cannot bring them back; a share link can keep them.)`)) {
    $("example").value = example;
    return;
  }
  loadExample(name);
  refresh();
  status(`Example "${$("example").selectedOptions[0].text}" loaded`, "good");
}

// ---- compare ---------------------------------------------------------------

function compareMode() {
  const on = $("compare").checked;
  $("base-box").hidden = !on;
  $("compare-pane").hidden = !on || !lastCompare;
  $("simulate").textContent = on ? "Compare" : "Simulate";
  if (on && baseView.state.doc.length === 0) {
    // The base starts as the example's policy: the comparison then shows
    // what the edits change.
    const first = Object.keys(examples[example]).find((n) => /\.hcl$/.test(n));
    baseView.dispatch({ changes: { from: 0, insert: examples[example][first] } });
  }
  if (on && !gatesApi) loadGates().catch(() => {});
  changed();
}

// ---- start -----------------------------------------------------------------

async function main() {
  const t0 = performance.now();
  // The module compiles (off this thread, as it streams in) while the
  // editors are made.
  const compiling = compile(RINGWISE_WASM);
  compiling.catch(() => {});
  policyView = newView($("policy-editor"), newState({ doc: "", name: "policy.hcl", label: "Policy", lint: () => [], onChange: () => {}, run: simulate }));
  scenarioView = newView($("scenario-editor"), newState({ doc: "", name: SCENARIO, label: "Scenario file scenario.hcl", lint: lintScenario, onChange: changed, run: simulate }));
  baseView = newView($("base-editor"), newState({ doc: "", name: BASE, label: "Base policy base.hcl", lint: lintBase, onChange: changed, run: simulate }));

  const fromLink = store.decode(location.hash);
  const saved = fromLink || store.restore();
  if (saved) apply(saved);
  else loadExample("recommended");

  $("example").addEventListener("change", chooseExample);
  for (const id of ["seed", "runs", "urgency", "start"]) $(id).addEventListener("input", changed);
  $("compare").addEventListener("change", compareMode);
  $("simulate").addEventListener("click", simulate);
  $("cancel").addEventListener("click", cancel);
  $("format").addEventListener("click", format);
  $("share").addEventListener("click", share);
  $("zoom-all").addEventListener("click", () => chart && chart.zoom(null));
  $("zoom-fit").addEventListener("click", () => chart && lastSim && charts().then(({ activeSpan }) => chart.zoom(activeSpan(lastSim.result.runs[0]))));
  $("dl-json").addEventListener("click", () => lastSim && download("simulate.json", "application/json", report(lastSim.result)));
  $("dl-csv").addEventListener("click", () => lastSim && download("timeline.csv", "text/csv", lastSim.result.csv));
  $("dl-svg").addEventListener("click", () => lastSim && download("timeline.svg", "image/svg+xml", lastSim.result.svg));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      simulate();
    } else if (e.key === "Escape" && running) cancel();
  });
  window.addEventListener("hashchange", () => {
    const s = store.decode(location.hash);
    if (s) {
      apply(s);
      refresh();
      status("Restored the files and options of the link", "good");
    }
  });
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => chart && chart.resize(), 150);
  });

  performance.mark("ringwise-editors");
  try {
    modules.main = await compiling;
    performance.mark("ringwise-compiled");
    api = await start(modules.main);
    performance.mark("ringwise-started");
  } catch (e) {
    status("Cannot load ringwise.wasm: " + e.message, "bad");
    return;
  }
  analyse();
  performance.mark("ringwise-analysed");
  refresh();
  for (const v of [policyView, scenarioView, baseView]) forceLinting(v);
  for (const id of ["simulate", "format", "share", "compare"]) $(id).disabled = false;
  const ms = Math.round(performance.now() - t0);
  performance.mark("ringwise-ready");
  // Fetch and start the simulation worker's module while the page is
  // idle, so the first Simulate does not wait for it.
  setTimeout(() => {
    loadSim().then(() => {
      if (worker || running) return;
      const { w } = workerFor("main");
      w.postMessage({ id: 0, op: "warm", module: modules.sim });
    }, () => (simLoading = null));
  }, 500);
  document.body.dataset.ready = String(ms);
  status(`Ready in ${ms} ms${fromLink ? ", with the files of the link" : saved ? ", with your autosaved files" : ""}. Edit the policy: the plan follows. Ctrl+Enter simulates.`, "good");
}

function format() {
  if (!api) return;
  const rw = gatesApi || api;
  if (!/\.hcl$/.test(active)) {
    status(`Format formats HCL policy files; ${active} is left as it is.`);
    return;
  }
  const r = rw.format(active, policyView.state.doc.toString());
  if (r.error) {
    status("Cannot format: " + r.error, "bad");
    return;
  }
  status(replaceDoc(policyView, r.source) ? "Formatted (Ctrl+Z undoes it)" : "Already formatted", "good");
}

main();
