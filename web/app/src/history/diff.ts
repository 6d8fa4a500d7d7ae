// History's diff of two kept reports: the library's comparison (lab.compareReports, the engine
// code `quantlab compare` runs) shown as a table, with a sentence on what could be paired.
import type { ComparisonRow, ReportComparison } from "quantlab";
import { el, pct, times } from "../shell/ui";

const signed = (x: number, digits = 2) =>
  `${x > 0 ? "+" : x < 0 ? "−" : "±"}${Math.abs(x).toFixed(digits)}`;

const ratio = (x: number | null | undefined) =>
  x === null || x === undefined ? "not timed" : times(x);

const VERDICT_CLASS: Record<string, string> = {
  "significantly worse": "worse",
  "significantly better": "better",
};

function mcnemar(row: ComparisonRow): string {
  if (!row.paired) return "—";
  const { base_only_correct: b, new_only_correct: c, p_value } = row.paired;
  return `p = ${p_value < 0.001 ? p_value.toExponential(1) : p_value.toFixed(3)} (${b} / ${c})`;
}

/** The table's header and one row per plan of the new report (FP32 first). */
export function comparisonRows(comparison: ReportComparison): {
  head: HTMLTableRowElement;
  body: HTMLTableRowElement[];
} {
  const head = el(
    "tr",
    {},
    ...[
      "Precision",
      "Verdict",
      "Accuracy, base → new",
      "McNemar p (b / c)",
      "Same class",
      "Size ratio",
      "Speedup ratio (batch 256, 1)",
    ].map((text) => el("th", { scope: "col", text })),
  );
  const body = comparison.rows.map((row) => {
    const accuracy =
      row.base === null
        ? pct(row.new.accuracy)
        : `${pct(row.base.accuracy)} → ${pct(row.new.accuracy)} (${signed(row.accuracy_change_points!)} pts)`;
    return el(
      "tr",
      {},
      el("th", { scope: "row", text: row.name }),
      // The verdict first: on a phone it is what shows without scrolling the table.
      el(
        "td",
        {},
        el("span", {
          class: `verdict ${VERDICT_CLASS[row.verdict] ?? ""}`,
          text: row.verdict + (row.plan_changed ? " (plan changed)" : ""),
        }),
      ),
      el("td", { text: accuracy }),
      el("td", { text: mcnemar(row) }),
      el("td", { text: row.paired ? pct(row.paired.agreement) : "—" }),
      el("td", {
        text: row.size_ratio === undefined ? "—" : times(row.size_ratio),
      }),
      el("td", {
        text:
          row.base === null
            ? "—"
            : `${ratio(row.speedup_ratio_batch)}, ${ratio(row.speedup_ratio_batch1)}`,
      }),
    );
  });
  return { head, body };
}

/** What the two reports share, in a sentence or two. */
export function pairingSummary(comparison: ReportComparison): string {
  const sameModel =
    comparison.same_model === null
      ? "A report has no model hash, so whether it is the same model is unknown."
      : comparison.same_model
        ? "Same model (equal weights)."
        : "Different models (the weights differ).";
  const pairing = comparison.paired
    ? "Same test images: McNemar's exact test pairs the predictions image by image (b images only the base got right, c only the new one), so a change within noise is not called a regression."
    : comparison.same_dataset === false
      ? "Different test images: accuracies are compared without a significance test."
      : "The predictions do not pair (a report lacks them), so no significance is claimed.";
  const only =
    comparison.only_in_base.length > 0
      ? ` Only in the base: ${comparison.only_in_base.join(", ")}.`
      : "";
  return `${sameModel} ${pairing} Ratios are new ÷ base; speed is compared only through each report's own speedup over its FP32, measured in one run, and still moves with the machine's load.${only}`;
}
