// The one place that renders templates/: every text that lands on a host or in a review artifact.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

export const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/** A value as one shell word, byte for byte: single quotes, with ' written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const handlebars = Handlebars.create();
handlebars.registerHelper("shq", (value: unknown) => shellQuote(String(value)));
handlebars.registerHelper("join", (values: unknown[], separator: unknown) => values.join(String(separator)));
handlebars.registerHelper("eq", (a: unknown, b: unknown) => a === b);
handlebars.registerHelper("code", (value: unknown) => markdownCode(String(value)));

/** A value as one Markdown code span, whatever backticks it holds; "" shows as *(empty)*. */
export function markdownCode(value: string): string {
  if (value === "") return "*(empty)*";
  const longestRun = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = value.startsWith("`") || value.endsWith("`") ? " " : "";
  return `${fence}${pad}${value}${pad}${fence}`;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Renders templates/<name> with `context`; a field the template names but the context lacks throws. */
export function render(name: string, context: object): string {
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(`${TEMPLATES_DIR}${name}`, "utf8");
    // Shell and config text, not HTML: no entity escaping; quoting is explicit ({{shq}}).
    template = handlebars.compile(source, { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return template(context);
}
