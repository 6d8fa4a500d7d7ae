// History's test data: reports as files to import, real ones measured by the library in Node,
// and a planted regression (a plan that now gets some images wrong) to find in a diff.
import type { Report } from "quantlab";
import { libraryReport } from "./lab-helpers";

/** A JSON file for `setInputFiles`. */
export const jsonFile = (name: string, value: unknown) => ({
  name,
  mimeType: "application/json",
  buffer: Buffer.from(
    typeof value === "string" ? value : JSON.stringify(value),
  ),
});

const decode = (base64: string) => Buffer.from(base64, "base64");

/**
 * A copy of `report`, a day later, in which `plan` misclassifies `count` test images it got
 * right (its predictions, correct count, accuracy and decay changed together).
 */
export function plantRegression(
  report: Report,
  plan: string,
  count: number,
): Report {
  const copy = structuredClone(report);
  copy.created = new Date(
    Date.parse(report.created ?? "2026-01-01T00:00:00Z") + 86_400_000,
  ).toISOString();
  const row = copy.plans.find((p) => p.name === plan)!;
  const labels = decode(copy.test_labels!);
  const predictions = decode(row.predictions!);
  let planted = 0;
  for (let i = 0; i < labels.length && planted < count; i++) {
    if (predictions[i] !== labels[i]) continue;
    predictions[i] = (labels[i]! + 1) % 10;
    planted++;
  }
  row.predictions = predictions.toString("base64");
  row.correct -= planted;
  row.accuracy = row.correct / copy.test_examples;
  row.decay_points = 100 * (copy.fp32.accuracy - row.accuracy);
  return copy;
}

let measured: Promise<[Report, Report]> | undefined;

/**
 * Two reports of mnist-mlp measured by the library (min-max and percentile calibration, three
 * speed rounds), a day apart: what a user's History holds after two runs. Measured once per
 * test worker.
 */
export function twoMeasuredReports(): Promise<[Report, Report]> {
  const options = (method: string) => ({
    plans: ["int8", "int4-g32", "w4a8"],
    speedRounds: 3,
    calibration: { method, samples: 512 },
  });
  // One after the other: two at once would time each other's kernels.
  measured ??= (async () => {
    const a = await libraryReport("mnist-mlp", "mnist", options("minmax"));
    const b = await libraryReport("mnist-mlp", "mnist", options("percentile"));
    return [
      { ...a, created: "2026-11-28T09:30:00.000Z" },
      { ...b, created: "2026-11-29T16:05:00.000Z" },
    ];
  })();
  return measured;
}
