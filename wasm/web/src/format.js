// Formatting shared by the page's parts.

// clock renders seconds after the release like the CLI: +1d02h03m, +2h05m, +45s.
export function clock(s) {
  const neg = s < 0;
  s = Math.abs(s);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60, sec = s % 60;
  const p = (n) => String(n).padStart(2, "0");
  let out;
  if (d > 0) out = `${d}d${p(h)}h${p(m)}m`;
  else if (h > 0) out = `${h}h${p(m)}m`;
  else if (m > 0) out = sec === 0 ? `${m}m` : `${m}m${p(sec)}s`;
  else out = `${sec}s`;
  return (neg ? "-" : "+") + out;
}

// duration renders seconds as the CLI's plan does: 2d4h30m, 20m, 0s.
export function duration(s) {
  if (!s) return "0s";
  let out = "";
  for (const [n, u] of [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]]) {
    const k = Math.floor(s / n);
    if (k > 0) {
      out += k + u;
      s -= k * n;
    }
  }
  return out;
}

export const utc = (t) => t.replace("T", " ").replace("Z", " UTC");

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  return e;
}

// table fills t with a header row and rows; a cell may be a string, a node
// or a ready <td>.
export function table(t, head, rows) {
  t.replaceChildren(
    el("thead", null, el("tr", null, ...head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", null, ...rows.map((r) => el("tr", null, ...r.map((c) => (c instanceof Node && c.tagName === "TD" ? c : el("td", null, c)))))),
  );
}
