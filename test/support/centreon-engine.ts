// What Centreon Engine does with a command line before the program starts, ported from its source
// (centreon-collect): engine/src/macros/process.cc (macro expansion), engine/src/macros.cc
// clean_macro_chars (illegal characters stripped from output macros), clib/src/misc/command_line.cc
// (the engine's own argument splitter: no shell is involved unless enable_shell is 1).

/** Centreon's default illegal_macro_output_chars (Configuration > Pollers > Engine configuration). */
export const CENTREON_ILLEGAL_OUTPUT_CHARS = "`~$&|'\"<>";

/** The macros Centreon Engine cleans with illegal_macro_output_chars before it substitutes them. */
const OUTPUT_MACROS = [
  "HOSTOUTPUT",
  "LONGHOSTOUTPUT",
  "HOSTPERFDATA",
  "HOSTACKAUTHOR",
  "HOSTACKCOMMENT",
  "SERVICEOUTPUT",
  "LONGSERVICEOUTPUT",
  "SERVICEPERFDATA",
  "SERVICEACKAUTHOR",
  "SERVICEACKCOMMENT",
];

export interface ExpandOptions {
  /** illegal_macro_output_chars. @default CENTREON_ILLEGAL_OUTPUT_CHARS; "" strips control characters only */
  illegalOutputChars?: string;
}

/** process_macros_r: '$$' is '$', $NAME$ its value (an unknown one: nothing), an unclosed '$' and the rest stay. */
export function expandMacros(line: string, values: Record<string, string>, options: ExpandOptions = {}): string {
  const illegal = options.illegalOutputChars ?? CENTREON_ILLEGAL_OUTPUT_CHARS;
  let out = "";
  let offset = 0;
  while (offset < line.length) {
    const begin = line.indexOf("$", offset);
    if (begin < 0) break;
    if (line[begin + 1] === "$") {
      out += line.slice(offset, begin + 1);
      offset = begin + 2;
      continue;
    }
    if (begin >= 2 && line[begin - 1] === "{" && line[begin - 2] === "{") {
      throw new Error("a {{$MACRO$}} tag: this emulation does not handle it (the builder never emits one)");
    }
    out += line.slice(offset, begin);
    offset = begin;
    const end = line.indexOf("$", begin + 1);
    if (end < 0) break;
    const name = line.slice(begin + 1, end);
    let value = values[name] ?? "";
    if (OUTPUT_MACROS.includes(name)) {
      // clean_macro_chars: control characters always, then the configured characters.
      value = [...Buffer.from(value, "utf8")]
        .filter((b) => b >= 32 && b !== 127 && !illegal.includes(String.fromCharCode(b)))
        .reduce((s, b) => s + String.fromCharCode(b), "");
      value = Buffer.from(value, "latin1").toString("utf8");
    }
    out += value;
    offset = end + 1;
  }
  return out + line.slice(offset);
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", v: "\v", f: "\f" };

/**
 * command_line::parse, state for state: the argument vector the engine spawns; throws like it on
 * an unclosed quote. Its quirk is kept: an escape right after an opening quote, before any other
 * character, is written before the argument starts and so is lost.
 */
export function splitLikeEngine(line: string): string[] {
  const buffer: string[] = [];
  const args: string[] = [];
  let begin: number | null = null;
  let escape = false;
  let quote = "";
  let state: "waiting" | "field" | "quoted" = "waiting";
  const isSpace = (c: string) => /[ \t\n\v\f\r]/.test(c);
  const onEscape = (c: string) => {
    buffer.push(ESCAPES[c] ?? c);
    escape = false;
  };
  const end = () => {
    args.push(buffer.slice(begin!).join(""));
    buffer.length = 0;
    begin = null;
  };
  for (const c of line) {
    if (state === "waiting") {
      if (escape) {
        begin = buffer.length;
        onEscape(c);
        state = "field";
      } else if (c === "\\") escape = true;
      else if (c === '"' || c === "'") {
        state = "quoted";
        quote = c;
      } else if (isSpace(c)) continue;
      else {
        state = "field";
        begin = buffer.length;
        buffer.push(c);
      }
    } else if (state === "field") {
      if (escape) onEscape(c);
      else if (c === "\\") escape = true;
      else if (isSpace(c)) {
        end();
        state = "waiting";
      } else if (c === '"' || c === "'") {
        state = "quoted";
        quote = c;
      } else buffer.push(c);
    } else if (escape) onEscape(c);
    else if (c === "\\") escape = true;
    else if (c === quote) {
      begin ??= buffer.length;
      state = "field";
    } else {
      begin ??= buffer.length;
      buffer.push(c);
    }
  }
  if (state === "quoted") throw new Error(`missing separator '${quote}'`);
  if (state === "field") end();
  return args;
}
