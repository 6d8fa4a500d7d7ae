// The bench page's end-to-end section: each shipped model's files fetched here and handed to
// the page's bench worker (model-rows.ts there), its rows rendered into the section's table
// as they come, and the end-to-end targets under it.
import type { PlanPreset } from "quantlab";
import { fetchSplitFiles } from "../shell/datasets";
import { fetchShippedFiles } from "../shell/models";
import { renderBody, renderHeader } from "./html-table";
import type { ModelFiles, ModelRow } from "./model-rows";
import {
  formatModelAgreement,
  isNumericModelColumn,
  modelTableHeader,
  modelTableRow,
  modelTargets,
  plainModelSummary,
} from "./model-table";
import { formatCheck } from "./targets";

/** The rows: FP32 (always), INT8 (W8A8, static activations) and W4A8. */
export const PAGE_PLANS: readonly PlanPreset[] = ["int8", "w4a8"];

/** A shipped model's files and its dataset's test and calibration splits, fetched. */
export async function fetchModelFiles(name: string): Promise<ModelFiles> {
  const { manifest, weights } = await fetchShippedFiles(name);
  const { dataset } = JSON.parse(new TextDecoder().decode(manifest)) as {
    dataset: string;
  };
  const [test, calibration] = await Promise.all([
    fetchSplitFiles(dataset, "test"),
    fetchSplitFiles(dataset, "calibration"),
  ]);
  return { name, manifest, weights, test, calibration };
}

/** The section's table and target list, filled row by row. */
export class ModelSection {
  readonly rows: ModelRow[] = [];

  /** The rows in plain words, for the page's summary. */
  summary(): string[] {
    return plainModelSummary(this.rows);
  }

  constructor(
    private readonly table: HTMLTableElement,
    private readonly checks: HTMLUListElement,
  ) {
    renderHeader(table, modelTableHeader(PAGE_PLANS), isNumericModelColumn);
  }

  clear(): void {
    this.rows.length = 0;
    this.render();
  }

  add(rows: readonly ModelRow[]): void {
    this.rows.push(...rows);
    this.render();
  }

  private render(): void {
    const rows = this.rows;
    renderBody(
      this.table,
      rows.map((r) => modelTableRow(r, PAGE_PLANS)),
      isNumericModelColumn,
      (i) => i > 0 && rows[i - 1]!.model !== rows[i]!.model,
    );
    const lines =
      this.rows.length === 0
        ? []
        : [
            ...modelTargets(this.rows).map(formatCheck),
            formatModelAgreement(this.rows),
          ];
    this.checks.replaceChildren(
      ...lines.map((line) =>
        Object.assign(document.createElement("li"), { textContent: line }),
      ),
    );
  }
}
