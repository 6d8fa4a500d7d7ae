// Compare's side of History: every finished run is kept in the browser (history/store.ts) with
// its date and the page's URL (the session), and the note under Run says so, linking there.
import type { Report } from "quantlab";
import { putEntry } from "../history/store";
import { plainError } from "../shell/lab";
import { onSessionChange, readSession, sessionQuery } from "../shell/session";
import { byId, el } from "../shell/ui";

const note = () => byId("history-note");
const historyLink = () =>
  el("a", {
    href: `./history.html${sessionQuery(readSession())}`,
    text: "History",
  });

function explain(): void {
  note().replaceChildren(
    "Every finished run is kept in this browser's ",
    historyLink(),
    ", to follow over time and diff.",
  );
}
explain();
onSessionChange(explain);

/**
 * Keeps a finished run in History and says so (or why it could not). The page's URL restores
 * the run's settings only for a shipped model: the user's own files are not in it.
 */
export async function keepRun(
  report: Report,
  shippedModel: boolean,
): Promise<void> {
  try {
    await putEntry({
      created: report.created!,
      dated: "report",
      source: "compare",
      sessionUrl: shippedModel ? location.href : undefined,
      report,
    });
    note().replaceChildren(
      "This run is kept in ",
      historyLink(),
      " (with its date and settings), to follow over time and diff.",
    );
  } catch (error) {
    note().textContent = `This run could not be kept in History: ${plainError(error)}`;
  }
}
