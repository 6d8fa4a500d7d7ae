// History's files: what an imported JSON file holds (one report — Compare's export or
// `quantlab report --format json` — or a History export of many), in plain words when it is
// neither, and the two export formats. The engine checks each report's contents on import
// (main.ts); this module only tells the kinds of file apart.
import type { Report } from "quantlab";
import type { HistoryEntry } from "./store";

/** A History export: every kept report with its date and where it came from. */
export interface HistoryFile {
  format: "quantlab-history";
  version: 1;
  exported: string;
  entries: Omit<HistoryEntry, "id">[];
}

/** A file the user picked, as read: its name, text and last-modified time. */
export interface PickedFile {
  name: string;
  text: string;
  lastModified: number;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const validDate = (text: unknown): text is string =>
  typeof text === "string" && !Number.isNaN(Date.parse(text));

/** An absolute URL (History links to its query), or undefined. */
function validUrl(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

/** The report in `value` (named `where` in errors), or an error saying what it is instead. */
function reportIn(value: unknown, where: string): Report {
  if (!isObject(value))
    throw new Error(
      `${where} is not a QuantLab report: a report is a JSON object with "format": "quantlab-report".`,
    );
  const format = value.format;
  if (format === "quantlab-comparison")
    throw new Error(
      `${where} is a comparison of two reports (quantlab compare), not a report: import the two reports instead.`,
    );
  if (format !== "quantlab-report")
    throw new Error(
      `${where} is not a QuantLab report: its "format" field is ${format === undefined ? "missing" : JSON.stringify(format)}, a report's is "quantlab-report".`,
    );
  if (value.version !== 1)
    throw new Error(
      `${where} is a report of version ${JSON.stringify(value.version)}; this lab reads version 1 reports only (a newer QuantLab may read it).`,
    );
  if (value.created !== undefined && !validDate(value.created))
    throw new Error(
      `${where}: "created" is ${JSON.stringify(value.created)}, not a date (ISO 8601, e.g. 2026-11-30T03:24:00Z).`,
    );
  return value as unknown as Report;
}

/** The entries an imported file holds, not yet checked by the engine. */
export function entriesOf(file: PickedFile): Omit<HistoryEntry, "id">[] {
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch (error) {
    throw new Error(
      `${file.name} is not a JSON file (${(error as Error).message}), so it cannot be a report.`,
    );
  }
  if (isObject(value) && value.format === "quantlab-history") {
    if (value.version !== 1 || !Array.isArray(value.entries))
      throw new Error(
        `${file.name} is a History export this lab cannot read: it needs "version": 1 and an "entries" list.`,
      );
    return value.entries.map((entry: unknown, i) => {
      const where = `${file.name}, entry ${i + 1}`;
      if (!isObject(entry) || !validDate(entry.created))
        throw new Error(`${where} has no "created" date.`);
      const report = reportIn(entry.report, `${where}'s report`);
      return {
        created: entry.created,
        dated: entry.dated === "file" ? "file" : "report",
        source: entry.source === "compare" ? "compare" : "import",
        fileName:
          typeof entry.fileName === "string" ? entry.fileName : undefined,
        sessionUrl: validUrl(entry.sessionUrl),
        report,
      };
    });
  }
  const report = reportIn(value, file.name);
  return [
    {
      created: report.created ?? new Date(file.lastModified).toISOString(),
      dated: report.created === undefined ? "file" : "report",
      source: "import",
      fileName: file.name,
      report,
    },
  ];
}

/** Every entry in one file that `entriesOf` reads back. */
export function historyFile(entries: HistoryEntry[]): HistoryFile {
  return {
    format: "quantlab-history",
    version: 1,
    exported: new Date().toISOString(),
    entries: entries.map(({ id: _id, ...entry }) => entry),
  };
}

/** A file name for one report: model and date. */
export function reportFileName(entry: HistoryEntry): string {
  const day = entry.created.slice(0, 19).replaceAll(":", "-");
  return `${entry.report.model.name}-report-${day}.json`;
}
