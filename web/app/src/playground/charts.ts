// The playground's two Chart.js charts: the values' histogram with the quantization grid drawn
// over it, and the round-trip error of each value against the ±scale/2 bound.
import {
  BarController,
  BarElement,
  Chart,
  LinearScale,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type Plugin,
} from "chart.js";
import { gridHistogram } from "./histogram";
import { pageChartLook, useChartLook } from "../shell/chart-look";

Chart.register(
  BarController,
  BarElement,
  LinearScale,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
);
useChartLook(Chart, pageChartLook());

const VALUE_COLOR = "rgba(79, 70, 229, 0.55)";
const GRID_COLOR = "rgba(234, 88, 12, 0.75)";
const GRID_BAND_COLOR = "rgba(234, 88, 12, 0.08)";
const ERROR_COLOR = "rgba(79, 70, 229, 0.6)";
const AXIS_FONT = { size: 12 };

export interface GridOptions {
  levels?: Float64Array;
}

const MIN_LINE_SPACING_PX = 5;

function isDense(chart: Chart, levels: Float64Array): boolean {
  if (levels.length < 2) return false;
  const x = chart.scales.x!;
  const span =
    x.getPixelForValue(levels[levels.length - 1]!) -
    x.getPixelForValue(levels[0]!);
  return span / (levels.length - 1) < MIN_LINE_SPACING_PX;
}

// Draws one vertical line per representable value. When lines would be closer than a few pixels
// (INT8 over a wide range) the grid is drawn as a band with ticks, which reads as "dense"
// instead of as a solid block of colour.
const gridLinesPlugin: Plugin<"bar"> = {
  id: "quantGrid",
  afterDatasetsDraw(chart, _args, options: GridOptions) {
    const levels = options.levels;
    if (!levels || levels.length === 0) return;
    const { ctx, chartArea, scales } = chart;
    const x = scales.x!;
    const first = x.getPixelForValue(levels[0]!);
    const last = x.getPixelForValue(levels[levels.length - 1]!);
    const dense = isDense(chart, levels);
    ctx.save();
    ctx.strokeStyle = GRID_COLOR;
    if (dense) {
      ctx.fillStyle = GRID_BAND_COLOR;
      ctx.fillRect(
        first,
        chartArea.top,
        last - first,
        chartArea.bottom - chartArea.top,
      );
    }
    ctx.lineWidth = dense ? 0.6 : 1.4;
    ctx.beginPath();
    for (const level of levels) {
      const px = x.getPixelForValue(level);
      if (px < chartArea.left - 0.5 || px > chartArea.right + 0.5) continue;
      ctx.moveTo(px, dense ? chartArea.bottom - 8 : chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
    }
    // The outermost levels bound what can be represented at all.
    for (const px of [first, last]) {
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
    }
    ctx.stroke();
    ctx.restore();
  },
};

function axisTitle(text: string) {
  return { display: true, text, font: AXIS_FONT, color: "#475569" };
}

/** A bar chart of values per bin over a linear value axis, with the grid plugin (and others). */
export function binnedValueChart(
  canvas: HTMLCanvasElement,
  {
    x,
    y,
    logarithmic = false,
  }: { x: string; y: string; logarithmic?: boolean },
  plugins: Plugin<"bar">[] = [],
): Chart<"bar", { x: number; y: number }[]> {
  return new Chart(canvas, {
    type: "bar",
    data: {
      datasets: [
        {
          label: "values",
          data: [],
          backgroundColor: VALUE_COLOR,
          barPercentage: 1,
          categoryPercentage: 1,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: {
          type: "linear",
          title: axisTitle(x),
          ticks: { includeBounds: false },
        },
        y: logarithmic
          ? {
              type: "logarithmic",
              // Counts: from 1 up, labelled at powers of ten only.
              min: 0.8,
              title: axisTitle(y),
              ticks: {
                callback: (value) =>
                  Number.isInteger(Math.log10(Number(value)))
                    ? Number(value).toLocaleString("en")
                    : "",
              },
            }
          : { beginAtZero: true, title: axisTitle(y) },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) =>
              `around ${items[0]?.parsed.x?.toPrecision(3) ?? ""}`,
            label: (item) =>
              `${(item.parsed.y ?? 0).toLocaleString("en")} values`,
          },
        },
      },
    },
    plugins: [gridLinesPlugin, ...plugins],
  });
}

export class ValueChart {
  private readonly chart: Chart<"bar", { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = binnedValueChart(canvas, {
      x: "value",
      y: "number of values per bin",
    });
  }

  /** Returns whether the grid was too dense to draw line by line. */
  show(values: ArrayLike<number>, levels: Float64Array): boolean {
    const bins = gridHistogram(values, levels);
    const halfBin =
      bins.centers.length > 1 ? (bins.centers[1]! - bins.centers[0]!) / 2 : 0;
    // Show the whole grid too: levels outside the data are range the scheme wastes.
    const lo = Math.min(bins.centers[0]! - halfBin, levels[0] ?? Infinity);
    const hi = Math.max(
      bins.centers[bins.centers.length - 1]! + halfBin,
      levels[levels.length - 1] ?? -Infinity,
    );
    const pad = (hi - lo) * 0.03 || 1;
    const x = this.chart.options.scales!.x!;
    x.min = lo - pad;
    x.max = hi + pad;
    this.chart.data.datasets[0]!.data = Array.from(bins.counts, (count, b) => ({
      x: bins.centers[b]!,
      y: count,
    }));
    (this.chart.options.plugins as { quantGrid?: GridOptions }).quantGrid = {
      levels,
    };
    this.chart.update();
    return isDense(this.chart as unknown as Chart, levels);
  }
}

export class ErrorChart {
  private readonly chart: Chart<"scatter", { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    const bound = {
      data: [],
      showLine: true,
      borderColor: GRID_COLOR,
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
    };
    this.chart = new Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          {
            label: "x̂ − x",
            data: [],
            backgroundColor: ERROR_COLOR,
            pointRadius: 2,
          },
          { ...bound, label: "+scale/2" },
          { ...bound, label: "−scale/2" },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { type: "linear", title: axisTitle("value x") },
          y: { title: axisTitle("error x̂ − x") },
        },
      },
    });
  }

  /** At most maxPoints evenly spaced values are drawn; the bound is ±scale/2. */
  show(
    values: ArrayLike<number>,
    restored: ArrayLike<number>,
    scale: number,
    maxPoints = 4000,
  ): void {
    const step = Math.max(1, Math.ceil(values.length / maxPoints));
    const points: { x: number; y: number }[] = [];
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i += step) {
      points.push({ x: values[i]!, y: restored[i]! - values[i]! });
      min = Math.min(min, values[i]!);
      max = Math.max(max, values[i]!);
    }
    const [errors, upper, lower] = this.chart.data.datasets;
    errors!.data = points;
    upper!.data = [
      { x: min, y: scale / 2 },
      { x: max, y: scale / 2 },
    ];
    lower!.data = [
      { x: min, y: -scale / 2 },
      { x: max, y: -scale / 2 },
    ];
    this.chart.update();
  }
}
