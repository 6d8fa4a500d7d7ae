// The roofline chart: log-log arithmetic intensity (flop per byte) against GFLOP/s, the
// measured bandwidth slope and compute peaks as lines, one point per kernel and case.
import {
  Chart,
  Legend,
  LinearScale,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
  type Plugin,
} from "chart.js";
import { KERNEL_KINDS, KIND_LABELS, type KernelKind } from "./cases";
import type { KernelResult } from "./results";
import type { Roofline } from "./roofline";

Chart.register(
  Legend,
  LinearScale,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
);

interface Point {
  x: number;
  y: number;
  label?: string;
  /** Drawn beside the point. */
  name?: string;
}

const KIND_COLORS: Record<KernelKind, string> = {
  f32: "#4f46e5",
  qd8: "#0891b2",
  w4a32: "#ea580c",
  w4a8: "#16a34a",
};
const ROOF_COLOR = "#94a3b8";

/** Labels only 1, 2 and 5 times a power of ten: a log axis stays readable. */
function decadeLabel(value: number): string | null {
  const mantissa = Number(
    (value / 10 ** Math.floor(Math.log10(value))).toPrecision(3),
  );
  return [1, 2, 5].includes(mantissa)
    ? String(Number(value.toPrecision(3)))
    : null;
}

/** The roof of one compute peak: the bandwidth slope up to the ridge point, then flat. */
function roofLine(
  roofline: Roofline,
  peak: number,
  xMin: number,
  xMax: number,
): Point[] {
  const ridge = peak / roofline.streamGBs;
  const points = [{ x: xMin, y: Math.min(peak, xMin * roofline.streamGBs) }];
  if (ridge > xMin && ridge < xMax) points.push({ x: ridge, y: peak });
  points.push({ x: xMax, y: Math.min(peak, xMax * roofline.streamGBs) });
  return points;
}

// Names each kernel point on the chart (its case, e.g. "GEMV 1×4096×4096"), small, beside it.
const pointNames: Plugin<"scatter", Point[]> = {
  id: "pointNames",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillStyle = "#334155";
    chart.data.datasets.forEach((dataset, d) => {
      if (!chart.isDatasetVisible(d)) return;
      const meta = chart.getDatasetMeta(d);
      (dataset.data as Point[]).forEach((p, i) => {
        if (p.name === undefined) return;
        const element = meta.data[i];
        if (element) ctx.fillText(p.name, element.x + 6, element.y - 4);
      });
    });
    ctx.restore();
  },
};

export class RooflineChart {
  private readonly chart: Chart<"scatter", Point[]>;

  constructor(canvas: HTMLCanvasElement) {
    const axis = (text: string) => ({
      type: "logarithmic" as const,
      title: { display: true, text, color: "#475569" },
      ticks: {
        callback: (value: string | number) => decadeLabel(Number(value)),
      },
    });
    this.chart = new Chart(canvas, {
      type: "scatter",
      data: { datasets: [] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: axis("arithmetic intensity (flop / byte)"),
          y: axis("GFLOP/s (GOP/s for integer kernels)"),
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                const p = item.raw as Point;
                const what = p.label ?? item.dataset.label ?? "";
                return `${what}: ${p.y.toPrecision(3)} GFLOP/s at ${p.x.toPrecision(3)} flop/B`;
              },
            },
          },
        },
      },
      plugins: [pointNames],
    });
  }

  update(
    roofline: Roofline | undefined,
    results: readonly KernelResult[],
  ): void {
    const datasets: ChartDataset<"scatter", Point[]>[] = [];
    if (roofline) {
      const intensities = results.map((r) => r.intensity);
      const xMin = Math.min(0.1, ...intensities) / 2;
      const xMax = Math.max(100, ...intensities) * 2;
      const roof = (
        label: string,
        peak: number,
        dash: number[],
      ): ChartDataset<"scatter", Point[]> => ({
        label,
        data: roofLine(roofline, peak, xMin, xMax),
        showLine: true,
        pointRadius: 0,
        borderColor: ROOF_COLOR,
        borderDash: dash,
        borderWidth: 1.5,
      });
      datasets.push(
        roof(
          `f32 peak ${roofline.f32Gflops.toFixed(0)} GFLOP/s`,
          roofline.f32Gflops,
          [],
        ),
      );
      datasets.push(
        roof(
          `i16-dot peak ${roofline.i16DotGops.toFixed(0)} GOP/s`,
          roofline.i16DotGops,
          [6, 4],
        ),
      );
      datasets.push(
        roof(
          `dot + accumulate ${roofline.i16DotAddGops.toFixed(0)} GOP/s (int8 GEMM ceiling)`,
          roofline.i16DotAddGops,
          [2, 3],
        ),
      );
    }
    for (const kind of KERNEL_KINDS) {
      const rows = results.filter((r) => r.kind === kind);
      if (rows.length === 0) continue;
      datasets.push({
        label: KIND_LABELS[kind],
        data: rows.map((r) => ({
          x: r.intensity,
          y: r.gflops,
          label: `${KIND_LABELS[kind]} ${r.caseName}`,
          name: `${KIND_LABELS[kind]} ${r.caseName.split(" ")[0]}`,
        })),
        backgroundColor: KIND_COLORS[kind],
        borderColor: KIND_COLORS[kind],
        pointRadius: 4,
      });
    }
    this.chart.data.datasets = datasets;
    this.chart.update();
  }
}
