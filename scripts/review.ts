// npm run review -- <base> <head> [--out FILE] [--stack NAME]: what a merge request changes, per
// host (Postfix parameters, settings) and per Centreon object (fields), from the review.json of two
// synth outputs (e.g. main's and the branch's). Prints the Markdown and writes it to FILE
// (default CHANGES.md). A side without a review.json counts as empty: a first deploy, or a removed
// stack; a head path that does not exist is an error.
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { renderChanges } from "../lib/review/changes.js";
import { diffReviews, emptyModel } from "../lib/review/diff.js";
import { readReviewSource, type ReviewSource } from "../lib/review/read.js";

const usage = "usage: npm run review -- <base outdir|review dir|review.json> <head outdir|review dir|review.json> [--out FILE] [--stack NAME]";

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { out: { type: "string", default: "CHANGES.md" }, stack: { type: "string" } },
  });
  if (positionals.length !== 2) throw new Error(usage);
  const [basePath, headPath] = positionals;
  // npm runs scripts from the project root: paths are the caller's, relative to where npm was run.
  const fromCaller = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  // A missing base is a first deploy; a head that does not exist at all is a wrong path or a synth
  // that did not run, never "everything was removed".
  if (!existsSync(fromCaller(headPath))) {
    throw new Error(`head: ${fromCaller(headPath)} does not exist: synthesize the branch first (CDKTF_OUTDIR=<dir> npm run synth), then name that directory`);
  }
  const base = readReviewSource(fromCaller(basePath), values.stack);
  const head = readReviewSource(fromCaller(headPath), values.stack);
  if (!base.model && !head.model) throw new Error(`neither side has a review model: ${base.missing}; ${head.missing}`);
  const missing = (source: ReviewSource, side: string) => {
    if (source.model) return null;
    console.error(`warning: ${side}: ${source.missing}; treating it as a stack that declares nothing`);
    return source.missing;
  };
  const side = (source: ReviewSource, path: string, name: string) => ({ path, missing: missing(source, name) });
  const stack = (base.model ?? head.model)!.stack;
  const markdown = renderChanges(
    diffReviews(base.model ?? emptyModel(stack), head.model ?? emptyModel(stack)),
    side(base, basePath, "base"),
    side(head, headPath, "head"),
  );
  writeFileSync(fromCaller(values.out), markdown);
  process.stdout.write(markdown);
  console.error(`wrote ${values.out}`);
} catch (error) {
  console.error(`npm run review: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
