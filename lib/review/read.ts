// Finding and reading the review model (review.json) of a synth output, for `npm run review`.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REVIEW_MODEL_FILE } from "./artifacts.js";
import { REVIEW_MODEL_VERSION, type ReviewModel } from "./model.js";

export type ReviewSource = { model: ReviewModel; file: string } | { model: null; missing: string };

/**
 * The model at `path`: a review.json, a review directory (<outdir>/review/<stack>) or a synth
 * output directory (<outdir>, holding one stack, or `stack`). A path without any is a side that
 * declares nothing (a first deploy); one that holds a model this version cannot read throws.
 */
export function readReviewSource(path: string, stack?: string): ReviewSource {
  if (!existsSync(path)) return { model: null, missing: `${path} does not exist` };
  let file = path;
  if (statSync(path).isDirectory()) {
    const reviews = join(path, "review");
    if (existsSync(join(path, REVIEW_MODEL_FILE))) file = join(path, REVIEW_MODEL_FILE);
    else if (existsSync(reviews) && statSync(reviews).isDirectory()) {
      const stacks = readdirSync(reviews).filter((s) => existsSync(join(reviews, s, REVIEW_MODEL_FILE))).sort();
      const chosen = stack ?? (stacks.length === 1 ? stacks[0] : undefined);
      if (stack === undefined && stacks.length > 1) {
        throw new Error(`${path} holds several stacks (${stacks.join(", ")}): name one with --stack NAME, or give ${reviews}/<stack>`);
      }
      if (chosen === undefined || !stacks.includes(chosen)) {
        return { model: null, missing: `no ${REVIEW_MODEL_FILE} for ${chosen ? `stack ${chosen}` : "any stack"} under ${reviews}` };
      }
      file = join(reviews, chosen, REVIEW_MODEL_FILE);
    } else {
      return { model: null, missing: `no ${REVIEW_MODEL_FILE} in ${path} or under ${reviews}` };
    }
  }
  let model: Partial<ReviewModel>;
  try {
    model = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not a review model: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (model?.version !== REVIEW_MODEL_VERSION) {
    throw new Error(
      `${file} is review model version ${String(model?.version)}, this checkout reads version ${REVIEW_MODEL_VERSION}: synth both sides, then run the review, with the same version of this project`,
    );
  }
  return { model: model as ReviewModel, file };
}
