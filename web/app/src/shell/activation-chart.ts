// A layer's input activations as the engine's calibration histogram (lab.activationHistograms),
// merged into a few dozen bars on a log scale (ReLU outputs pile up at 0), with clipping ranges
// drawn as labelled lines over it and, optionally, the INT8 grid of one range (Layers).
import { Chart, LogarithmicScale, type Plugin } from "chart.js";
import type { LayerActivations } from "quantlab";
import { binnedValueChart, type GridOptions } from "../playground/charts";
import { pageChartLook, useChartLook } from "./chart-look";

Chart.register(LogarithmicScale);
useChartLook(Chart, pageChartLook());

/** A range drawn over the histogram. */
export interface DrawnRange {
  label: string;
  min: number;
  max: number;
  color: string;
}

/** One colour per calibration method, in the engine's method order. */
export const METHOD_COLORS: Record<string, string> = {
  minmax: "#0f172a",
  moving_average_minmax: "#0891b2",
  percentile: "#16a34a",
  mse: "#be185d",
  entropy: "#ea580c",
};

const MAX_BARS = 64;

interface RangeOptions {
  ranges?: DrawnRange[];
}

// Dashed lines at each range's ends; the range's interior is the part the grid covers.
const rangeLinesPlugin: Plugin<"bar"> = {
  id: "clipRanges",
  afterDatasetsDraw(chart, _args, options: RangeOptions) {
    const { ctx, chartArea, scales } = chart;
    const x = scales.x!;
    ctx.save();
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    for (const [i, range] of (options.ranges ?? []).entries()) {
      ctx.strokeStyle = range.color;
      ctx.beginPath();
      for (const value of [range.min, range.max]) {
        const px = x.getPixelForValue(value);
        // Lines of several ranges at one place are offset a little to stay visible.
        const at = px + (i - 2) * 1.5;
        ctx.moveTo(at, chartArea.top);
        ctx.lineTo(at, chartArea.bottom);
      }
      ctx.stroke();
    }
    ctx.restore();
  },
};

/** The engine's histogram merged into at most MAX_BARS bars: centres and counts. */
export function mergedBars(
  layer: LayerActivations,
): { x: number; y: number }[] {
  const merge = Math.max(1, Math.ceil(layer.counts.length / MAX_BARS));
  const bars: { x: number; y: number }[] = [];
  for (let k = 0; k < layer.counts.length; k += merge) {
    let count = 0;
    for (let j = k; j < Math.min(k + merge, layer.counts.length); j++)
      count += layer.counts[j]!;
    bars.push({
      x: layer.firstEdge + (k + merge / 2) * layer.binWidth,
      y: count,
    });
  }
  return bars;
}

export class ActivationChart {
  private readonly chart: Chart<"bar", { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = binnedValueChart(
      canvas,
      { x: "input value", y: "values per bar (log)", logarithmic: true },
      [rangeLinesPlugin],
    );
  }

  /** The histogram with `ranges` drawn over it and, if given, a grid's levels. */
  show(
    layer: LayerActivations,
    ranges: DrawnRange[],
    levels: Float64Array = new Float64Array(),
  ): void {
    const bars = mergedBars(layer);
    const lo = Math.min(layer.min, ...ranges.map((r) => r.min));
    const hi = Math.max(layer.max, ...ranges.map((r) => r.max));
    const pad = (hi - lo) * 0.04 || 1;
    const x = this.chart.options.scales!.x!;
    x.min = lo - pad;
    x.max = hi + pad;
    this.chart.data.datasets[0]!.data = bars;
    const plugins = this.chart.options.plugins as {
      quantGrid?: GridOptions;
      clipRanges?: RangeOptions;
    };
    plugins.quantGrid = { levels };
    plugins.clipRanges = { ranges };
    this.chart.update();
  }
}
