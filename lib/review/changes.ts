// CHANGES.md: a review diff as the Markdown a reviewer reads before approving a merge request.
import { render } from "../render/templates.js";
import type { FieldChange, ReviewDiff, Status } from "./diff.js";

export interface ChangeSide {
  /** The path the model was read from, as given. */
  path: string;
  /** Why this side counts as empty (no review.json there), or null. */
  missing: string | null;
}

/** How many places of a secret's use are listed before "and N more". */
const SHOWN_PLACES = 5;

export function renderChanges(diff: ReviewDiff, base: ChangeSide, head: ChangeSide): string {
  const counts = (entries: { status: Status }[]) =>
    (["changed", "added", "removed"] as const)
      .map((status) => [entries.filter((e) => e.status === status).length, status] as const)
      .filter(([n]) => n > 0)
      .map(([n, status]) => `${n} ${status}`)
      .join(", ");
  const view = (changes: FieldChange[]) =>
    changes.map((c) => ({
      name: c.name,
      before: c.before && { value: c.before.value, note: c.before.note ?? null },
      after: c.after && { value: c.after.value, note: c.after.note ?? null },
      secrets: c.secrets,
    }));
  const markdown = render("review/CHANGES.md.hbs", {
    stack: diff.stack,
    base,
    head,
    renamedFrom: diff.renamedFrom,
    stateMoved: diff.stateMoved,
    changed: diff.hosts.length + diff.objects.length > 0 || diff.renamedFrom !== null || diff.stateMoved !== null,
    hostCounts: counts(diff.hosts),
    hosts: diff.hosts.map((h) => ({ ...h, settings: view(h.settings), parameters: view(h.parameters) })),
    objectCounts: counts(diff.objects),
    objects: diff.objects.map((o) => ({ ...o, fields: view(o.fields) })),
    secrets: Object.entries(diff.secrets).map(([name, places]) => ({
      name,
      isNew: diff.newSecrets.includes(name),
      where:
        places.slice(0, SHOWN_PLACES).join("; ") + (places.length > SHOWN_PLACES ? `; and ${places.length - SHOWN_PLACES} more` : ""),
    })),
  });
  // Handlebars drops the newline after a closing block on the last line.
  return markdown.endsWith("\n") ? markdown : `${markdown}\n`;
}
