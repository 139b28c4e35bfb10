// A Rego mode for CodeMirror 6, as a StreamLanguage (no maintained Rego
// grammar exists for CodeMirror 6; codemirror-rego is for CodeMirror 5).
// It highlights what a reader scans for: keywords, strings (also raw
// `...`), numbers, comments, operators and the rule heads' names.
import { StreamLanguage } from "@codemirror/language";

const keywords = new Set([
  "package", "import", "as", "default", "if", "else", "not", "some", "every", "in", "with", "contains",
]);
const atoms = new Set(["true", "false", "null"]);
const builtinNs = new Set(["input", "data"]);

export const regoLanguage = StreamLanguage.define({
  name: "rego",
  startState: () => ({ inRaw: false }),
  token(stream, state) {
    if (state.inRaw) {
      if (stream.skipTo("`")) {
        stream.next();
        state.inRaw = false;
      } else stream.skipToEnd();
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("#")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match("`")) {
      state.inRaw = true;
      if (stream.skipTo("`")) {
        stream.next();
        state.inRaw = false;
      } else stream.skipToEnd();
      return "string";
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^-?\d+(\.\d+)?([eE][-+]?\d+)?/)) return "number";
    if (stream.match(/^(:=|==|!=|<=|>=|=|<|>|\||&|\+|-|\*|\/|%)/)) return "operator";
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) {
      const w = stream.current();
      if (keywords.has(w)) return "keyword";
      if (atoms.has(w)) return "atom";
      if (builtinNs.has(w)) return "variableName.special";
      // A rule head: a name at the start of a line.
      if (stream.start === stream.lineStart || stream.string.slice(0, stream.start).trim() === "default") return "definition";
      return "variableName";
    }
    if (stream.match(/^[[\]{}(),.;:]/)) return "punctuation";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "#" }, closeBrackets: { brackets: ["(", "[", "{", '"', "`"] } },
});
