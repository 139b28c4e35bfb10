// The ringwise playground: loads ringwise.wasm, which registers
// globalThis.ringwise (check, format, plan, simulate), and renders what it
// returns. No framework, no network beyond this page's own files.
"use strict";

const $ = (id) => document.getElementById(id);
const buttons = ["check", "format", "plan", "simulate"].map($);

function setStatus(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = "status" + (kind ? " " + kind : "");
}

function files() {
  return { [$("policy-name").value.trim() || "policy.hcl"]: $("policy").value };
}

// clock renders seconds after the release like the CLI: +1d02h03m, +2h05m, +45s.
function clock(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60, sec = s % 60;
  const p = (n) => String(n).padStart(2, "0");
  if (d > 0) return `+${d}d${p(h)}h${p(m)}m`;
  if (h > 0) return `+${h}h${p(m)}m`;
  if (m > 0) return sec === 0 ? `+${m}m` : `+${m}m${p(sec)}s`;
  return `+${sec}s`;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c));
  return e;
}

function table(t, head, rows) {
  t.replaceChildren(
    el("thead", null, el("tr", null, ...head.map((h) => el("th", null, h)))),
    el("tbody", null, ...rows.map((r) => el("tr", null, ...r.map((c) => (c instanceof Node && c.tagName === "TD" ? c : el("td", null, c)))))),
  );
}

// show switches the output to one pane, with diagnostics (or an error) above.
function show(pane, diagnostics, isError) {
  $("empty").hidden = pane !== "empty";
  $("check-pane").hidden = pane !== "check";
  $("plan-pane").hidden = pane !== "plan";
  $("sim-pane").hidden = pane !== "sim";
  const d = $("diagnostics");
  d.hidden = !diagnostics;
  d.textContent = diagnostics || "";
  d.className = "diagnostics" + (isError ? " error" : "");
}

// failed renders an {error, diagnostics} result; it returns false for a result.
function failed(r) {
  if (!r || !r.error) return false;
  show("none", r.diagnostics || r.error, true);
  const n = (r.diagnostics || "").split("\n").filter((l) => /^\S+:\d+:\d+: (?!warning:)/.test(l)).length;
  setStatus(n > 1 ? `${n} problems, the first: ${r.error.replace(/ \(and \d+ more errors?\)$/, "")}` : r.error, "bad");
  return true;
}

function runCheck() {
  const r = ringwise.check(files());
  if (!r.ok) return failed(r);
  show("check", r.diagnostics, false);
  $("check-pane").replaceChildren(el("span", { class: "ok" }, "✓ "), `valid: ${r.rollouts.length} rollout${r.rollouts.length === 1 ? "" : "s"} (${r.rollouts.join(", ")})`);
  setStatus("policy ok", "good");
}

function runFormat() {
  const r = ringwise.format($("policy-name").value, $("policy").value);
  if (failed(r)) return;
  const changed = r.source !== $("policy").value;
  $("policy").value = r.source;
  setStatus(changed ? "formatted" : "already formatted", "good");
}

function runPlan() {
  const opts = { urgency: $("urgency").value.trim(), start: $("start").value.trim() };
  // Plan the rollout the scenario's update would get, when it says.
  const kind = /\bkind\s*=\s*"([^"]*)"/.exec($("scenario").value);
  if (kind) opts.kind = kind[1];
  let r = ringwise.plan(files(), opts);
  if (r.error && opts.kind) {
    delete opts.kind; // a policy with one rollout for every kind
    const again = ringwise.plan(files(), opts);
    if (!again.error) r = again;
  }
  if (failed(r)) return;
  show("plan", "", false);
  $("plan-title").textContent = `rollout "${r.rollout}", urgency ${opts.urgency || "routine"}, from ${r.start.replace("T", " ").replace("Z", " UTC")}`;
  const step = {};
  table($("plan-table"), ["ring", "step", "percent", "start (UTC)", "offset"], r.steps.map((s) => {
    step[s.ring] = (step[s.ring] || 0) + 1;
    return [s.ring, step[s.ring], s.percent + "%", s.start.replace("T", " ").replace("Z", ""), clock(s.offset_seconds)];
  }));
  $("plan-complete").textContent = `complete ${r.complete.replace("T", " ").replace("Z", " UTC")} (${clock((Date.parse(r.complete) - Date.parse(r.start)) / 1000)}), assuming healthy signals and approvals granted at once`;
  setStatus(`planned ${r.steps.length} steps`, "good");
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

function runSimulate() {
  const opts = { seed: $("seed").value.trim() || "1", runs: Number($("runs").value) || 1 };
  const t0 = performance.now();
  const r = ringwise.simulate(files(), $("scenario").value, opts);
  if (failed(r)) return;
  const ms = Math.round(performance.now() - t0);
  show("sim", "", false);
  const run = r.runs[0];
  $("chart").innerHTML = r.svg; // our own SVG, its text escaped by the Go side
  if (r.runs.length === 1) {
    $("metrics").hidden = true;
    $("cards").hidden = false;
    $("cards").replaceChildren(...metricNames.map(([k, label]) =>
      el("div", { class: "card" + (k === "failed" && run.failed > 0 ? " bad" : "") }, el("span", null, label), el("b", null, metric(k, run[k])))));
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
  const took = ms > 0 ? ` in ${ms} ms` : "";
  setStatus(`simulated ${run.hosts.toLocaleString("en-US")} hosts, ${r.runs.length} run${r.runs.length === 1 ? "" : "s"}${took}: ${run.failed.toLocaleString("en-US")} failed, ended ${run.end.replace(/_/g, " ")}`, run.failed > 0.01 * run.hosts ? "bad" : "good");
}

// busy runs f after the status has been painted: the simulation holds the
// page's only thread while it runs.
function busy(label, f) {
  setStatus(label + "…", "");
  buttons.forEach((b) => (b.disabled = true));
  return new Promise((resolve) => setTimeout(() => {
    try { f(); } catch (e) { setStatus(String(e), "bad"); }
    buttons.forEach((b) => (b.disabled = false));
    resolve();
  }, 20));
}

async function loadExample(name) {
  const res = await fetch("examples/" + name);
  if (!res.ok) throw new Error(`examples/${name}: ${res.status}`);
  return res.text();
}

// Tab indents by two spaces instead of leaving the editor.
function tabIndent(ta) {
  ta.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    const { selectionStart: a, selectionEnd: b, value } = ta;
    ta.value = value.slice(0, a) + "  " + value.slice(b);
    ta.selectionStart = ta.selectionEnd = a + 2;
  });
}

async function main() {
  tabIndent($("policy"));
  tabIndent($("scenario"));
  const params = new URLSearchParams(location.search);
  if (params.has("seed")) $("seed").value = params.get("seed");
  if (params.has("runs")) $("runs").value = params.get("runs");
  try {
    const preset = [...$("preset").options].some((o) => o.value === params.get("policy")) ? params.get("policy") : "recommended.hcl";
    const [pol, sc] = await Promise.all([loadExample(preset), loadExample("scenario.hcl")]);
    $("preset").value = preset;
    $("policy-name").value = preset;
    $("policy").value = pol;
    $("scenario").value = sc;
  } catch (e) {
    setStatus("cannot load the examples (serve this directory over HTTP): " + e.message, "bad");
  }
  $("preset").addEventListener("change", async () => {
    const name = $("preset").value;
    $("policy").value = await loadExample(name);
    $("policy-name").value = name;
  });

  const go = new Go();
  let result;
  try {
    const res = await fetch("ringwise.wasm");
    if (!res.ok) throw new Error(`ringwise.wasm: ${res.status} (run wasm/build.sh)`);
    result = WebAssembly.instantiateStreaming
      ? await WebAssembly.instantiateStreaming(res, go.importObject).catch(async () =>
        WebAssembly.instantiate(await (await fetch("ringwise.wasm")).arrayBuffer(), go.importObject))
      : await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject);
  } catch (e) {
    setStatus("cannot load ringwise.wasm: " + e.message, "bad");
    return;
  }
  go.run(result.instance); // registers globalThis.ringwise, then waits for calls
  setStatus("ready", "good");
  $("check").onclick = () => busy("checking", runCheck);
  $("format").onclick = () => busy("formatting", runFormat);
  $("plan").onclick = () => busy("planning", runPlan);
  $("simulate").onclick = () => busy("simulating", runSimulate);
  buttons.forEach((b) => (b.disabled = false));

  const auto = params.get("run");
  if (auto && $(auto) && buttons.includes($(auto))) $(auto).click();
}

main();
