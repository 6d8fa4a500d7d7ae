// History: the reports this browser kept (every Compare run, and imported files), listed with
// their settings, drawn over time per plan, diffed two at a time by the library's
// compareReports, deleted, imported and exported as JSON.
import type { ReportComparison } from "quantlab";
import { lab, plainError } from "../shell/lab";
import { renderNav } from "../shell/nav";
import { readSession, sessionQuery } from "../shell/session";
import { download } from "../shell/download";
import { byId, el, setState } from "../shell/ui";
import { comparisonRows, pairingSummary } from "./diff";
import { historyFile, reportFileName } from "./files";
import { importFiles } from "./import";
import {
  allEntries,
  deleteEntry,
  onOtherTabChange,
  putEntry,
  type HistoryEntry,
} from "./store";

renderNav();
byId<HTMLAnchorElement>("compare-link").href =
  `./index.html${sessionQuery(readSession())}`;

let entries: HistoryEntry[] = [];
let shownComparison: { comparison: ReportComparison; name: string } | undefined;

const importInput = byId<HTMLInputElement>("import");
const importError = byId("import-error");
const importStatus = byId("import-status");
const listStatus = byId("list-status");
const baseSelect = byId<HTMLSelectElement>("diff-base");
const newSelect = byId<HTMLSelectElement>("diff-new");
const modelSelect = byId<HTMLSelectElement>("time-model");

/** "30 Nov 2026, 03:24" in the reader's time zone. */
const longDate = (iso: string) =>
  new Date(iso).toLocaleString("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  });

const describe = (entry: HistoryEntry) =>
  `${entry.report.model.name} of ${longDate(entry.created)}`;

async function refresh(): Promise<void> {
  entries = await allEntries();
  listStatus.replaceChildren();
  renderList();
  renderDiffChoices();
  await renderCharts();
  byId<HTMLButtonElement>("export-all").disabled = entries.length === 0;
}

// ---- the list ---------------------------------------------------------------------------------

function renderList(): void {
  const caption = byId("list-caption");
  if (entries.length === 0)
    caption.replaceChildren(
      "Nothing kept yet. Run ",
      el("a", {
        href: `./index.html${sessionQuery(readSession())}`,
        text: "Compare",
      }),
      " (each finished run is kept) or import a report file.",
    );
  else
    caption.textContent = `${entries.length} report${entries.length === 1 ? "" : "s"}, newest first, kept in this browser.`;
  byId("reports-scroll").hidden = entries.length === 0;
  byId<HTMLTableElement>("reports").tBodies[0]!.replaceChildren(
    ...[...entries].reverse().map(listRow),
  );
}

function listRow(entry: HistoryEntry): HTMLTableRowElement {
  const { report } = entry;
  const from =
    entry.source === "import"
      ? `file ${entry.fileName ?? "(imported)"}`
      : entry.sessionUrl === undefined
        ? "Compare run (your model files)"
        : el("a", {
            href: `./index.html${new URL(entry.sessionUrl).search}`,
            text: "Compare run",
            title: "Open Compare with this run's model, plan and calibration",
          });
  const exportButton = el("button", {
    type: "button",
    class: "secondary small",
    text: "Export",
    "aria-label": `Export the report ${describe(entry)} as JSON`,
  });
  exportButton.addEventListener("click", () =>
    download(
      reportFileName(entry),
      JSON.stringify(report, null, 2),
      "application/json",
    ),
  );
  const deleteButton = el("button", {
    type: "button",
    class: "secondary small danger",
    text: "Delete",
    "aria-label": `Delete the report ${describe(entry)}`,
  });
  deleteButton.addEventListener("click", () => void remove(entry));
  // The actions sit under the date, in the first column, so a phone shows them without
  // scrolling the table sideways.
  return el(
    "tr",
    { "data-id": entry.id },
    el(
      "th",
      { scope: "row" },
      longDate(entry.created),
      entry.dated === "file"
        ? el("small", {
            text: " (file date)",
            title: "The report has no date of its own; this is its file's",
          })
        : null,
      el("span", { class: "actions" }, exportButton, deleteButton),
    ),
    el(
      "td",
      {},
      report.model.name,
      el("br"),
      el("small", {
        text: `${report.test_examples.toLocaleString("en")} ${report.model.dataset} test images`,
      }),
    ),
    el("td", {
      class: "wrap",
      text: report.plans.map((p) => p.name).join(", ") || "FP32 only",
    }),
    el("td", { text: report.engine_version ?? "—" }),
    el("td", {
      text: `${report.calibration.method.replaceAll("_", " ")}, ${report.calibration.samples} images`,
    }),
    el("td", { class: "wrap", text: report.machine }),
    el("td", {}, from),
  );
}

async function remove(entry: HistoryEntry): Promise<void> {
  try {
    await deleteEntry(entry.id!);
  } catch (error) {
    listStatus.textContent = `Could not delete it: ${plainError(error)}`;
    return;
  }
  await refresh();
  const undo = el("button", {
    type: "button",
    class: "secondary small",
    text: "Undo",
  });
  undo.addEventListener("click", async () => {
    await putEntry(entry);
    await refresh();
    listStatus.textContent = `Restored the report ${describe(entry)}.`;
  });
  listStatus.replaceChildren(`Deleted the report ${describe(entry)}. `, undo);
  // The pressed button is gone with its row: the keyboard continues from Undo.
  undo.focus();
}

// ---- the diff ---------------------------------------------------------------------------------

// Whenever the list changes the diff offers its two newest reports, the usual question being
// "what changed since last time".
function renderDiffChoices(): void {
  byId("diff-card").hidden = entries.length < 2;
  byId("diff-result").hidden = true;
  byId("diff-status").textContent = "";
  const newest = [...entries].reverse();
  for (const [select, chosen] of [
    [baseSelect, newest[1]],
    [newSelect, newest[0]],
  ] as const) {
    select.replaceChildren(
      ...newest.map((entry) =>
        el("option", {
          value: entry.id,
          text: `${longDate(entry.created)} · ${entry.report.model.name} · ${entry.report.plans.length} plans`,
        }),
      ),
    );
    select.value = String(chosen?.id ?? "");
  }
}

byId<HTMLFormElement>("diff-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void diff();
});

async function diff(): Promise<void> {
  const find = (select: HTMLSelectElement) =>
    entries.find((e) => String(e.id) === select.value);
  const base = find(baseSelect);
  const next = find(newSelect);
  const status = byId("diff-status");
  if (base === undefined || next === undefined) return;
  status.classList.remove("failed");
  if (base === next) {
    status.textContent = "Pick two different reports.";
    return;
  }
  status.textContent = "Comparing…";
  setState("busy");
  try {
    const comparison = await lab.compareReports(base.report, next.report, {});
    const { head, body } = comparisonRows(comparison);
    const table = byId<HTMLTableElement>("diff");
    table.tHead!.replaceChildren(head);
    table.tBodies[0]!.replaceChildren(...body);
    byId("diff-summary").textContent = pairingSummary(comparison);
    byId("diff-result").hidden = false;
    shownComparison = {
      comparison,
      name: `${next.report.model.name}-diff.md`,
    };
    status.textContent = `Base: ${describe(base)}. New: ${describe(next)}.`;
  } catch (error) {
    status.textContent = plainError(error);
    status.classList.add("failed");
  } finally {
    setState("ready");
  }
}

byId("diff-markdown").addEventListener("click", async () => {
  if (shownComparison === undefined) return;
  download(
    shownComparison.name,
    await lab.comparisonMarkdown(shownComparison.comparison),
    "text/markdown",
  );
});

// ---- over time --------------------------------------------------------------------------------

async function renderCharts(): Promise<void> {
  byId("time-card").hidden = entries.length === 0;
  if (entries.length === 0) return;
  const models = [
    ...new Set([...entries].reverse().map((e) => e.report.model.name)),
  ];
  const chosen = models.includes(modelSelect.value)
    ? modelSelect.value
    : models[0]!;
  modelSelect.replaceChildren(
    ...models.map((name) => el("option", { value: name, text: name })),
  );
  modelSelect.value = chosen;
  const own = entries.filter((e) => e.report.model.name === chosen);
  const timed = own.filter((e) => e.report.speed !== null).length;
  byId("time-caption").textContent =
    `${chosen}: ${own.length} report${own.length === 1 ? "" : "s"}, oldest to newest, one step each. Speedup: each plan's over FP32 at batch 256 in its own run (${timed} of them timed); absolute times are not compared across runs.`;
  const { MEASURES, showOverTime } = await import("./charts");
  showOverTime(byId("accuracy-time"), own, MEASURES.accuracy);
  showOverTime(byId("size-time"), own, MEASURES.size);
  showOverTime(byId("speed-time"), own, MEASURES.speedup);
}

modelSelect.addEventListener("change", () => void renderCharts());

// ---- import and export ------------------------------------------------------------------------

importInput.addEventListener("change", async () => {
  const files = Array.from(importInput.files ?? []);
  importInput.value = "";
  if (files.length === 0) return;
  setState("busy");
  const { added, known, problems } = await importFiles(files, entries);
  importError.textContent = problems.join(" ");
  importError.hidden = problems.length === 0;
  importStatus.textContent =
    `Imported ${added} report${added === 1 ? "" : "s"}` +
    (known > 0
      ? `; ${known} ${known === 1 ? "was" : "were"} already kept`
      : "") +
    (problems.length > 0
      ? `; ${problems.length} file${problems.length === 1 ? "" : "s"} refused (above).`
      : ".");
  await refresh();
  setState("ready");
});

byId("export-all").addEventListener("click", () =>
  download(
    `quantlab-history-${new Date().toISOString().slice(0, 10)}.json`,
    JSON.stringify(historyFile(entries)),
    "application/json",
  ),
);

onOtherTabChange(() => void refresh());

refresh().then(
  () => setState("ready"),
  (error) => {
    byId("list-caption").textContent =
      `This browser does not let the lab keep reports here: ${plainError(error)}`;
    setState("error");
  },
);
