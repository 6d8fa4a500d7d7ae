// History's file reading (no engine, no browser): which kind of JSON file a user imported, its
// dates, and the plain-words refusals; a History export reads back as what was exported.
import { describe, expect, it } from "vitest";
import {
  entriesOf,
  historyFile,
  reportFileName,
} from "../../web/app/src/history/files";
import type { HistoryEntry } from "../../web/app/src/history/store";

// Only the fields the file reader looks at; the engine checks the rest on import.
const report = (extra: object = {}) =>
  ({
    format: "quantlab-report",
    version: 1,
    model: { name: "mnist-mlp", dataset: "mnist", weights: 1, parameters: 1 },
    ...extra,
  }) as unknown as HistoryEntry["report"];

const file = (name: string, value: unknown, lastModified = 0) => ({
  name,
  text: typeof value === "string" ? value : JSON.stringify(value),
  lastModified,
});

describe("entriesOf", () => {
  it("dates a report by its created field", () => {
    const [entry] = entriesOf(
      file("r.json", report({ created: "2026-11-30T03:24:00.000Z" }), 5),
    );
    expect(entry).toMatchObject({
      created: "2026-11-30T03:24:00.000Z",
      dated: "report",
      source: "import",
      fileName: "r.json",
    });
  });

  it("dates a report without one by its file", () => {
    const when = Date.UTC(2026, 0, 2, 3, 4, 5);
    const [entry] = entriesOf(file("ci.json", report(), when));
    expect(entry!.created).toBe(new Date(when).toISOString());
    expect(entry!.dated).toBe("file");
  });

  it("reads back a History export entry for entry", () => {
    const entries: HistoryEntry[] = [
      {
        id: 7,
        created: "2026-11-29T10:00:00.000Z",
        dated: "file",
        source: "import",
        fileName: "ci.json",
        report: report(),
      },
      {
        id: 9,
        created: "2026-11-30T10:00:00.000Z",
        dated: "report",
        source: "compare",
        sessionUrl: "http://localhost/index.html?model=mnist-mlp",
        report: report({ created: "2026-11-30T10:00:00.000Z" }),
      },
    ];
    const exported = JSON.stringify(historyFile(entries));
    expect(entriesOf(file("all.json", exported))).toEqual(
      entries.map(({ id: _id, ...entry }) => entry),
    );
  });

  it("drops a History entry's session URL that is not a URL", () => {
    const exported = {
      format: "quantlab-history",
      version: 1,
      entries: [
        {
          created: "2026-11-29T10:00:00.000Z",
          source: "compare",
          sessionUrl: "not a url",
          report: report(),
        },
      ],
    };
    expect(entriesOf(file("all.json", exported))[0]!.sessionUrl).toBe(
      undefined,
    );
  });

  it.each([
    [
      "not JSON",
      "{",
      /^x\.json is not a JSON file \(.+\), so it cannot be a report\.$/,
    ],
    [
      "an array",
      [1],
      /^x\.json is not a QuantLab report: a report is a JSON object/,
    ],
    [
      "another format",
      { format: "onnx" },
      /^x\.json is not a QuantLab report: its "format" field is "onnx"/,
    ],
    [
      "a comparison",
      { format: "quantlab-comparison" },
      /^x\.json is a comparison of two reports/,
    ],
    [
      "another version",
      report({ version: 2 }),
      /^x\.json is a report of version 2; this lab reads version 1 reports only/,
    ],
    [
      "a bad date",
      report({ created: "yesterday" }),
      /^x\.json: "created" is "yesterday", not a date/,
    ],
    [
      "a History export of another version",
      { format: "quantlab-history", version: 3, entries: [] },
      /^x\.json is a History export this lab cannot read/,
    ],
    [
      "a History export with a bad report",
      {
        format: "quantlab-history",
        version: 1,
        entries: [{ created: "2026-01-01", report: {} }],
      },
      /^x\.json, entry 1's report is not a QuantLab report/,
    ],
  ])("refuses %s, naming the file", (_what, value, message) => {
    expect(() => entriesOf(file("x.json", value))).toThrow(message);
  });
});

it("names a report's file by model and date", () => {
  expect(
    reportFileName({
      created: "2026-11-30T03:24:05.123Z",
      dated: "report",
      source: "compare",
      report: report(),
    }),
  ).toBe("mnist-mlp-report-2026-11-30T03-24-05.json");
});
