// The editors: CodeMirror 6 with line numbers, highlighting, bracket
// matching, undo history and inline diagnostics (@codemirror/lint), in the
// page's light or dark colours.
//
// The setup is CodeMirror's basicSetup without autocompletion (there is
// nothing to complete), which keeps 10 KB (brotli) off the first load.
const setup = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightSpecialChars(),
  history(),
  foldGutter(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  bracketMatching(),
  closeBrackets(),
  rectangularSelection(),
  crosshairCursor(),
  highlightActiveLine(),
  highlightSelectionMatches(),
  keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap]),
];
import {
  EditorView, keymap, lineNumbers, highlightActiveLineGutter, highlightSpecialChars, drawSelection, dropCursor,
  rectangularSelection, crosshairCursor, highlightActiveLine,
} from "@codemirror/view";
import { Compartment, EditorState } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { foldGutter, foldKeymap, indentOnInput, bracketMatching, defaultHighlightStyle } from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { lintKeymap } from "@codemirror/lint";
import { json } from "@codemirror/lang-json";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { oneDarkTheme, color as od } from "@codemirror/theme-one-dark";
import { tags as t } from "@lezer/highlight";
import { hcl } from "codemirror-lang-hcl";
import { regoLanguage } from "./rego.js";

export { forceLinting };

const dark = window.matchMedia("(prefers-color-scheme: dark)");
const views = new Set();

dark.addEventListener("change", () => {
  for (const view of views) applyTheme(view);
});

// applyTheme gives view the theme of the current colour scheme (a state
// made earlier, then swapped in, may have the other).
export function applyTheme(view) {
  view.dispatch({ effects: themeCompartment.reconfigure(theme()) });
}

// One Dark's colours, with comments, names and keywords lightened to meet
// WCAG AA contrast (4.5:1) on its background.
const stone = "#9da5b4", coral = "#ef8891", violet = "#d68fe8";
const darkHighlight = HighlightStyle.define([
  { tag: t.keyword, color: violet },
  { tag: [t.name, t.deleted, t.character, t.propertyName, t.macroName], color: coral },
  { tag: [t.function(t.variableName), t.labelName], color: od.malibu },
  { tag: [t.color, t.constant(t.name), t.standard(t.name)], color: od.whiskey },
  { tag: [t.definition(t.name), t.separator], color: od.ivory },
  { tag: [t.typeName, t.className, t.number, t.changed, t.annotation, t.modifier, t.self, t.namespace], color: od.chalky },
  { tag: [t.operator, t.operatorKeyword, t.url, t.escape, t.regexp, t.link, t.special(t.string)], color: od.cyan },
  { tag: [t.meta, t.comment], color: stone },
  { tag: t.strong, fontWeight: "bold" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.link, color: stone, textDecoration: "underline" },
  { tag: [t.atom, t.bool, t.special(t.variableName)], color: od.whiskey },
  { tag: [t.processingInstruction, t.string, t.inserted], color: od.sage },
  { tag: t.invalid, color: od.invalid },
]);
const darkTheme = [oneDarkTheme, syntaxHighlighting(darkHighlight)];
// The light theme is CodeMirror's default highlight style (the fallback,
// so the dark one wins when present).
const lightHighlight = syntaxHighlighting(defaultHighlightStyle, { fallback: true });

function theme() {
  return dark.matches ? darkTheme : [];
}

// Colours that keep line numbers and the active line readable (WCAG AA
// contrast) on both themes.
const base = EditorView.theme({
  "&": { fontSize: "12.5px", height: "100%" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-gutters": { backgroundColor: "var(--gutter-bg)", color: "var(--gutter-fg)", borderRight: "1px solid var(--line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--active-gutter)", color: "var(--text)" },
  "&.cm-focused": { outline: "2px solid var(--focus)" },
});

export function language(name) {
  if (name.endsWith(".rego")) return regoLanguage;
  if (name.endsWith(".json") && !name.endsWith(".hcl.json")) return json();
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return [];
  return hcl();
}

// newState makes an editor state for one file. label names it for screen
// readers; lint(view) returns the file's diagnostics; onChange runs after
// every edit; run is Ctrl/Cmd+Enter.
export function newState({ doc, name, label, lint, onChange, run }) {
  return EditorState.create({
    doc,
    extensions: [
      setup,
      lightHighlight,
      keymap.of([{ key: "Mod-Enter", run: () => (run(), true) }, indentWithTab]),
      language(name),
      base,
      themeCompartment.of(theme()),
      // tabindex: axe-core counts only it, not contenteditable, as the
      // keyboard access to the scrolling editor (Tab reaches it either way).
      EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
      lintGutter(),
      linter(lint, { delay: 300 }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u);
      }),
    ],
  });
}

// One compartment holds the theme of every editor; reconfiguring it per
// view switches light and dark.
const themeCompartment = new Compartment();

export function newView(parent, state) {
  const view = new EditorView({ state, parent });
  views.add(view);
  return view;
}

// replaceDoc replaces the text of view with text as one undoable change of
// only the lines that differ, so that the cursor and undo survive Format.
export function replaceDoc(view, text) {
  const old = view.state.doc.toString();
  if (old === text) return false;
  let a = 0;
  while (a < old.length && a < text.length && old[a] === text[a]) a++;
  let b = 0;
  while (b < old.length - a && b < text.length - a && old[old.length - 1 - b] === text[text.length - 1 - b]) b++;
  view.dispatch({ changes: { from: a, to: old.length - b, insert: text.slice(a, text.length - b) }, userEvent: "input.format" });
  return true;
}

// diagnostics turns the API's problems for file into CodeMirror's, clamped
// to the document; an empty range covers the character there, so that it
// shows.
export function diagnostics(problems, file, doc) {
  const out = [];
  for (const p of problems || []) {
    if (p.file !== file) continue;
    let from = Math.min(p.from, doc.length), to = Math.min(Math.max(p.to, from), doc.length);
    if (from === to) {
      if (to < doc.length) to++;
      else if (from > 0) from--;
    }
    out.push({ from, to, severity: p.severity === "warning" ? "warning" : "error", message: p.message, source: "ringwise" });
  }
  return out;
}
