// Draws the QAT view's live charts in a worker, on OffscreenCanvases the page handed over: with
// a point arriving every batch, redrawing on the page's thread blocked it for 100 ms and more on
// a busy machine. Messages: init (canvases and size), add (one batch's record), clear, resize.
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
} from "chart.js";
import type { QatProgress } from "quantlab";
import { type ChartLook, useChartLook } from "../shell/chart-look";
import { COLORS } from "../shell/palette";

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend);

export type ChartMessage =
  | {
      kind: "init";
      curves: OffscreenCanvas;
      scales: OffscreenCanvas;
      devicePixelRatio: number;
      /** The page's font and text colour, which a worker cannot read itself. */
      look: ChartLook;
    }
  | { kind: "add"; progress: QatProgress }
  | { kind: "clear" }
  | {
      kind: "resize";
      which: "curves" | "scales";
      width: number;
      height: number;
    };

const REDRAW_MS = 300;

type Series = { x: number; y: number }[];

const lineOptions = (devicePixelRatio: number, y: string, y2?: string) => ({
  responsive: false,
  // The page's box sets the size (resize messages); Chart.js's default 2:1 aspect would give
  // the bitmap another shape than the box, stretching the text when the page scales it.
  maintainAspectRatio: false,
  devicePixelRatio,
  animation: false as const,
  events: [],
  parsing: false as const,
  normalized: true,
  elements: { point: { radius: 0 } },
  scales: {
    x: { type: "linear" as const, title: { display: true, text: "batch" } },
    y: { title: { display: true, text: y } },
    ...(y2 === undefined
      ? {}
      : {
          y2: {
            position: "right" as const,
            min: 0,
            max: 100,
            grid: { drawOnChartArea: false },
            title: { display: true, text: y2 },
          },
        }),
  },
});

// Chart.js draws on an OffscreenCanvas in a worker; its types only name the page's canvas.
const offscreen = (canvas: OffscreenCanvas) =>
  canvas as unknown as HTMLCanvasElement;

let curves: Chart<"line", Series> | undefined;
let scales: Chart<"line", Series> | undefined;
const start = new Map<string, number>();
let step = 0;
let pending = false;

function redraw(): void {
  pending = false;
  curves?.update("none");
  scales?.update("none");
}

function add(p: QatProgress): void {
  if (curves === undefined || scales === undefined) return;
  const x = ++step;
  curves.data.datasets[0]!.data.push({ x, y: p.loss });
  curves.data.datasets[1]!.data.push({ x, y: 100 * p.accuracy });
  for (const [name, scale] of Object.entries(p.scales)) {
    if (!start.has(name)) {
      start.set(name, scale);
      scales.data.datasets.push({
        label: name,
        data: [],
        borderColor: COLORS[start.size % COLORS.length],
      });
    }
    const series = scales.data.datasets.find((d) => d.label === name)!;
    series.data.push({ x, y: scale / start.get(name)! });
  }
  if (!pending) {
    pending = true;
    setTimeout(redraw, REDRAW_MS);
  }
}

addEventListener("message", (event: MessageEvent<ChartMessage>) => {
  const message = event.data;
  switch (message.kind) {
    case "init": {
      useChartLook(Chart, message.look);
      const dpr = message.devicePixelRatio;
      curves = new Chart<"line", Series>(offscreen(message.curves), {
        type: "line",
        data: {
          datasets: [
            { label: "loss", data: [], borderColor: COLORS[1], yAxisID: "y" },
            {
              label: "accuracy (%)",
              data: [],
              borderColor: COLORS[3],
              yAxisID: "y2",
            },
          ],
        },
        options: lineOptions(dpr, "loss (cross-entropy)", "accuracy (%)"),
      });
      scales = new Chart<"line", Series>(offscreen(message.scales), {
        type: "line",
        data: { datasets: [] },
        options: lineOptions(dpr, "scale ÷ starting scale"),
      });
      break;
    }
    case "add":
      add(message.progress);
      break;
    case "clear":
      step = 0;
      start.clear();
      for (const d of curves?.data.datasets ?? []) d.data = [];
      if (scales) scales.data.datasets = [];
      redraw();
      break;
    case "resize":
      (message.which === "curves" ? curves : scales)?.resize(
        message.width,
        message.height,
      );
      break;
  }
});
