// The page's state outside the page: a share link that carries the files
// and options compressed in the URL fragment (which browsers never send to
// a server), and an autosave in localStorage.
import LZString from "lz-string";

const key = "ringwise-playground/v1";

// encode returns the fragment ("#s=...") for a state.
export function encode(state) {
  return "#s=" + LZString.compressToEncodedURIComponent(JSON.stringify({ v: 1, ...state }));
}

// decode returns the state in a fragment, or null when there is none or it
// is damaged.
export function decode(hash) {
  const m = /^#s=(.+)$/.exec(hash || "");
  if (!m) return null;
  try {
    const s = JSON.parse(LZString.decompressFromEncodedURIComponent(m[1]) || "null");
    return valid(s) ? s : null;
  } catch {
    return null;
  }
}

function valid(s) {
  return s && s.v === 1 && s.files && typeof s.files === "object" && typeof s.scenario === "string" &&
    Object.values(s.files).every((v) => typeof v === "string");
}

export function save(state) {
  try {
    localStorage.setItem(key, JSON.stringify({ v: 1, ...state }));
  } catch {
    // Storage full or disabled: the page still works, it only forgets.
  }
}

export function restore() {
  try {
    const s = JSON.parse(localStorage.getItem(key) || "null");
    return valid(s) ? s : null;
  } catch {
    return null;
  }
}
