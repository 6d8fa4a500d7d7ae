// History's charts: accuracy, size and speedup of every row (FP32 and each plan) across one
// model's kept reports, oldest to newest. The x axis is a category axis of the reports' dates,
// one step per report, so Chart.js needs no date adapter (and reports a minute or a month apart
// are equally readable).
import {
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
  type TooltipItem,
} from "chart.js";
import type { Report, ReportRow } from "quantlab";
import { COLORS, MUTED, POINT_LEGEND, POINT_STYLES } from "../shell/palette";
import type { HistoryEntry } from "./store";
import { pageChartLook, useChartLook } from "../shell/chart-look";

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Tooltip,
  Legend,
);
useChartLook(Chart, pageChartLook());

/** What one chart plots of a row; null where the row has no such figure. */
interface Measure {
  axis: string;
  value(row: ReportRow): number | null;
  format(value: number): string;
}

export const MEASURES = {
  accuracy: {
    axis: "test accuracy (%)",
    value: (row) => 100 * row.accuracy,
    format: (v) => `${v.toFixed(2)}%`,
  },
  size: {
    axis: "model size (kB)",
    value: (row) => row.weight_bytes / 1000,
    format: (v) => `${v.toFixed(1)} kB`,
  },
  // FP32's speedup over itself is 1 by definition: only plans are drawn. The title fits the
  // half-width chart's height at 1280 px; the caption says it is over FP32.
  speedup: {
    axis: "speedup, batch 256 (×)",
    value: (row) =>
      row.name === "fp32" ? null : (row.speed?.speedup_batch ?? null),
    format: (v) => `${v.toFixed(2)}×`,
  },
} satisfies Record<string, Measure>;

const rowsOf = (report: Report): ReportRow[] => [report.fp32, ...report.plans];

/** A short date for an axis label: "30 Nov 03:24". */
export const shortDate = (iso: string) =>
  new Date(iso).toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });

const charts = new Map<HTMLCanvasElement, Chart>();

/** Draws `measure` of every row name over `entries` (one model's, oldest first). */
export function showOverTime(
  canvas: HTMLCanvasElement,
  entries: HistoryEntry[],
  measure: Measure,
): void {
  const names = new Set(
    entries.flatMap((e) => rowsOf(e.report).map((row) => row.name)),
  );
  const datasets = [...names]
    .map((name, i) => ({
      label: name,
      data: entries.map((e) => {
        const row = rowsOf(e.report).find((r) => r.name === name);
        return row === undefined ? null : measure.value(row);
      }),
      borderColor: COLORS[i % COLORS.length],
      backgroundColor: COLORS[i % COLORS.length],
      pointStyle: POINT_STYLES[i % POINT_STYLES.length],
      pointRadius: 5,
      spanGaps: true,
    }))
    .filter((d) => d.data.some((v) => v !== null));
  const label = (item: TooltipItem<"line">) =>
    `${item.dataset.label}: ${measure.format(Number(item.raw))}`;
  charts.get(canvas)?.destroy();
  charts.set(
    canvas,
    new Chart(canvas, {
      type: "line",
      data: { labels: entries.map((e) => shortDate(e.created)), datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: POINT_LEGEND, tooltip: { callbacks: { label } } },
        scales: {
          x: { title: { display: true, text: "report made", color: MUTED } },
          y: { title: { display: true, text: measure.axis, color: MUTED } },
        },
      },
    }),
  );
}
