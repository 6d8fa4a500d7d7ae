// History's import: each picked file read (files.ts tells what it holds), each report it
// holds read by the engine as `quantlab compare` reads it, and the new ones kept. A file is
// taken whole or refused whole, with its name and the reason.
import { lab, plainError } from "../shell/lab";
import { entriesOf } from "./files";
import { putEntry, type HistoryEntry } from "./store";

export interface ImportResult {
  added: number;
  /** Reports already kept (the same JSON), not added again. */
  known: number;
  /** One sentence per refused file. */
  problems: string[];
}

export async function importFiles(
  files: File[],
  kept: HistoryEntry[],
): Promise<ImportResult> {
  const result: ImportResult = { added: 0, known: 0, problems: [] };
  const keys = new Set(kept.map((e) => JSON.stringify(e.report)));
  for (const file of files) {
    try {
      const found = entriesOf({
        name: file.name,
        text: await file.text(),
        lastModified: file.lastModified,
      });
      for (const [i, entry] of found.entries())
        await checkWithEngine(
          entry.report,
          found.length > 1 ? `${file.name}, entry ${i + 1}` : file.name,
        );
      for (const entry of found) {
        const key = JSON.stringify(entry.report);
        if (keys.has(key)) {
          result.known++;
          continue;
        }
        await putEntry(entry);
        keys.add(key);
        result.added++;
      }
    } catch (error) {
      result.problems.push(plainError(error));
    }
  }
  return result;
}

// Whatever History keeps can be diffed: a damaged report is refused here, not at the first
// diff. The engine's reader names the report by its place in a comparison ("baseline: ..."),
// which means nothing to someone importing a file, so that prefix goes.
async function checkWithEngine(
  report: HistoryEntry["report"],
  where: string,
): Promise<void> {
  try {
    await lab.compareReports(report, report, {});
  } catch (error) {
    throw new Error(
      `${where} is not a report this lab can read: ${plainError(error).replace(/^baseline: /, "")}`,
    );
  }
}
