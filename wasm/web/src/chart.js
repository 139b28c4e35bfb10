// The timeline chart (uPlot): the fleet's states over time for one run,
// with the rollout's decisions as markers. It opens zoomed to where things
// happen (not the whole horizon, which is mostly a flat line); drag to zoom,
// double-click or "Whole horizon" to see everything; hovering reads out
// every series at that time in the legend.
import uPlot from "uplot";
import { clock } from "./format.js";

// The series: [key, label, colour variable, scale, value of a timeline
// point]. The fleet (updated, waiting) is on the left axis; the hosts in
// trouble, usually far fewer, on the right one.
const series = [
  ["updated", "updated", "--c-updated", "fleet", (p) => p.updated],
  ["waiting", "waiting", "--c-waiting", "fleet", (p) => p.waiting],
  ["failed", "failed", "--c-failed", "hurt", (p) => p.crashed + p.boot_loop + p.silent + p.degraded],
  ["boot_loop", "of which boot loop", "--c-bootloop", "hurt", (p) => p.boot_loop],
  ["reverted", "rolled back", "--c-reverted", "hurt", (p) => p.reverted],
  ["repaired", "repaired by hand", "--c-repaired", "hurt", (p) => p.repaired],
];

const markerActions = new Set(["advance", "halt", "rollback", "complete", "resume"]);

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

// activeSpan returns the time until which something happens in the run:
// the last time the fleet changes or a decision other than a hold is
// taken, with a margin, and never less than 30 minutes.
export function activeSpan(run) {
  const tl = run.timeline || [];
  let last = 0;
  for (let i = 1; i < tl.length; i++) {
    const a = tl[i - 1], b = tl[i];
    if (series.some(([, , , , f]) => f(a) !== f(b)) || a.exposed !== b.exposed) last = b.t;
  }
  for (const d of run.decisions || []) if (d.action !== "hold") last = Math.max(last, d.t);
  const end = tl.length ? tl[tl.length - 1].t : last;
  return Math.min(end, Math.max(1800, Math.ceil(last * 1.15)));
}

// placeLabels lays out marker labels in rows so that none overlaps
// another: each goes in the first row whose last label ends left of it.
// xs are pixel positions in ascending order; returns each label's row, or
// -1 when all rows are full there (the marker is drawn without a label).
export function placeLabels(xs, widths, rows, gap = 4) {
  const ends = new Array(rows).fill(-Infinity);
  return xs.map((x, i) => {
    for (let r = 0; r < rows; r++) {
      if (x >= ends[r] + gap) {
        ends[r] = x + widths[i];
        return r;
      }
    }
    return -1;
  });
}

function markersPlugin(decisions) {
  const marks = decisions.filter((d) => markerActions.has(d.action) || d === decisions.find((x) => x.action === "hold"));
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        const { top, height, left, width } = u.bbox;
        const px = devicePixelRatio || 1;
        ctx.save();
        ctx.font = `${11 * px}px ${css("--sans") || "sans-serif"}`;
        ctx.textBaseline = "top";
        ctx.textAlign = "left";
        const shown = marks.filter((d) => {
          const x = u.valToPos(d.t / 3600, "x", true);
          return x >= left && x <= left + width;
        });
        const xs = shown.map((d) => u.valToPos(d.t / 3600, "x", true));
        const labels = shown.map((d) => d.action + (d.ring ? " " + d.ring + (d.step ? " " + d.step : "") : ""));
        const widths = labels.map((l) => ctx.measureText(l).width + 6 * px);
        // A label starts at its marker, or ends there near the right edge.
        const lx = xs.map((x, i) => Math.max(left, Math.min(x, left + width - widths[i])));
        const order = lx.map((x, i) => i).sort((a, b) => lx[a] - lx[b]);
        const placed = placeLabels(order.map((i) => lx[i]), order.map((i) => widths[i]), 3);
        const rows = [];
        order.forEach((i, k) => (rows[i] = placed[k]));
        const rowH = 14 * px;
        shown.forEach((d, i) => {
          const color = d.action === "rollback" || d.action === "halt" ? css("--bad") : d.action === "hold" ? css("--muted") : css("--good");
          ctx.strokeStyle = color;
          ctx.fillStyle = color;
          ctx.lineWidth = px;
          ctx.setLineDash(d.action === "advance" ? [3 * px, 3 * px] : []);
          ctx.beginPath();
          ctx.moveTo(xs[i], top);
          ctx.lineTo(xs[i], top + height);
          ctx.stroke();
          if (rows[i] >= 0) {
            ctx.fillStyle = css("--panel");
            ctx.fillRect(lx[i] + 1, top + 2 + rows[i] * rowH, widths[i] - 2 * px, rowH - 2);
            ctx.fillStyle = color;
            ctx.fillText(labels[i], lx[i] + 3 * px, top + 3 + rows[i] * rowH);
          }
        });
        ctx.restore();
      },
    },
  };
}

// draw renders run into el, replacing what was there; it returns the
// chart, whose zoom(span) shows [0, span] seconds (null: the whole run).
export function draw(el, run) {
  el.replaceChildren();
  const tl = run.timeline || [];
  const data = [tl.map((p) => p.t / 3600), ...series.map(([, , , , f]) => tl.map(f))];
  const width = Math.max(280, el.clientWidth || 600);
  const narrow = width < 520;
  const opts = {
    width,
    height: Math.round(Math.min(320, Math.max(200, width * 0.45))),
    scales: { x: { time: false }, fleet: { range: (u, min, max) => [0, Math.max(1, max)] }, hurt: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] } },
    axes: [
      { label: "hours after release", stroke: css("--muted"), grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") } },
      { scale: "fleet", label: narrow ? "fleet" : "hosts updated, waiting", stroke: css("--c-updated"), grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") }, size: narrow ? 48 : 60 },
      { scale: "hurt", side: 1, label: narrow ? "in trouble" : "hosts failed, rolled back, repaired", stroke: css("--c-failed"), grid: { show: false }, ticks: { stroke: css("--grid") }, size: narrow ? 40 : 60 },
    ],
    series: [
      { label: "time", value: (u, v) => (v == null ? "–" : clock(Math.round(v * 3600))) },
      ...series.map(([key, label, color, scale]) => ({
        label,
        scale,
        stroke: css(color),
        width: key === "failed" || key === "updated" ? 2 : 1.5,
        dash: key === "boot_loop" ? [4, 3] : key === "waiting" ? [2, 2] : undefined,
        points: { show: false },
        value: (u, v) => (v == null ? "–" : Math.round(v).toLocaleString("en-US")),
      })),
    ],
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    plugins: [markersPlugin(run.decisions || [])],
  };
  const u = new uPlot(opts, data, el);
  const chart = {
    plot: u,
    zoom(span) {
      const end = tl.length ? tl[tl.length - 1].t : 0;
      u.setScale("x", { min: 0, max: (span == null ? end : span) / 3600 });
    },
    resize() {
      const w = Math.max(280, el.clientWidth || 600);
      u.setSize({ width: w, height: Math.round(Math.min(320, Math.max(200, w * 0.45))) });
    },
  };
  chart.zoom(activeSpan(run));
  return chart;
}
