// Compare's charts (Chart.js, loaded with the first results): accuracy against bits per
// weight with each point named and its 95% interval drawn, and the speedup of each plan.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type Plugin,
} from "chart.js";
import type { Report } from "quantlab";
import { COLORS, MUTED, POINT_LEGEND, POINT_STYLES } from "../shell/palette";
import { pageChartLook, useChartLook } from "../shell/chart-look";

Chart.register(
  ScatterController,
  BarController,
  PointElement,
  BarElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Tooltip,
  Legend,
);
useChartLook(Chart, pageChartLook());

const ACCENT = "#4f46e5";

interface Point {
  x: number;
  y: number;
  lo: number;
  hi: number;
  name: string;
}

// Draws each point's 95% interval as a vertical bar in the point's colour.
const intervals: Plugin<"scatter"> = {
  id: "intervals",
  afterDatasetsDraw(chart) {
    const { ctx, scales } = chart;
    ctx.save();
    ctx.lineWidth = 2;
    chart.data.datasets.forEach((dataset) => {
      const p = (dataset.data as unknown as Point[])[0]!;
      const x = scales.x!.getPixelForValue(p.x);
      ctx.strokeStyle = String(dataset.backgroundColor);
      ctx.beginPath();
      ctx.moveTo(x, scales.y!.getPixelForValue(p.lo));
      ctx.lineTo(x, scales.y!.getPixelForValue(p.hi));
      ctx.stroke();
    });
    ctx.restore();
  },
};

const charts = new Map<HTMLCanvasElement, Chart>();

function replace(canvas: HTMLCanvasElement, chart: Chart): void {
  charts.get(canvas)?.destroy();
  charts.set(canvas, chart);
}

export function showAccuracy(canvas: HTMLCanvasElement, report: Report): void {
  const rows = [report.fp32, ...report.plans];
  const data: Point[] = rows.map((r) => ({
    x: r.bits_per_weight,
    y: 100 * r.accuracy,
    lo: 100 * r.accuracy_interval[0],
    hi: 100 * r.accuracy_interval[1],
    name: r.name,
  }));
  const ys = data.flatMap((d) => [d.lo, d.hi]);
  const chart = new Chart(canvas, {
    type: "scatter",
    // One dataset per precision: the legend names them (points at equal bits would overlap).
    data: {
      datasets: data.map((point, i) => ({
        label: point.name,
        data: [point],
        backgroundColor: COLORS[i % COLORS.length],
        borderColor: COLORS[i % COLORS.length],
        pointRadius: 6,
        pointStyle: POINT_STYLES[i % POINT_STYLES.length],
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: POINT_LEGEND,
        tooltip: {
          callbacks: {
            label: (item) => {
              const p = item.raw as Point;
              return `${p.name}: ${p.y.toFixed(2)}% (${p.lo.toFixed(1)}–${p.hi.toFixed(1)}) at ${p.x.toFixed(2)} bits`;
            },
          },
        },
      },
      scales: {
        // Log scale: 4, 5, 8 and 32 bits spread out instead of crowding at the left.
        x: {
          type: "logarithmic",
          min: 3,
          max: 40,
          ticks: { autoSkip: false, callback: (value) => String(value) },
          afterBuildTicks: (axis) => {
            axis.ticks = [4, 5, 8, 16, 32].map((value) => ({ value }));
          },
          title: {
            display: true,
            text: "bits per weight (scales included)",
            color: MUTED,
          },
        },
        y: {
          min: Math.floor(Math.min(...ys) - 1),
          max: Math.ceil(Math.max(...ys) + 0.5),
          title: { display: true, text: "test accuracy (%)", color: MUTED },
        },
      },
    },
    plugins: [intervals],
  });
  replace(canvas, chart as unknown as Chart);
}

export function showSpeedup(canvas: HTMLCanvasElement, report: Report): void {
  const plans = report.plans;
  const chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: plans.map((p) => p.name),
      datasets: [
        {
          label: "batch 256",
          data: plans.map((p) => p.speed?.speedup_batch ?? 0),
          backgroundColor: ACCENT,
        },
        {
          label: "batch 1",
          data: plans.map((p) => p.speed?.speedup_batch1 ?? 0),
          backgroundColor: "#a5b4fc",
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) =>
              `${item.dataset.label}: ${Number(item.raw).toFixed(2)}× FP32's speed`,
          },
        },
      },
      scales: {
        y: {
          beginAtZero: true,
          title: {
            display: true,
            text: "× FP32's speed (1 = same)",
            color: MUTED,
          },
        },
      },
    },
  });
  replace(canvas, chart as unknown as Chart);
}
