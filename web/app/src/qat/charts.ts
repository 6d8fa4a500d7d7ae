// The QAT view's live charts: loss and accuracy per batch, and each quantizer's scale relative
// to its start. They are drawn by chart-worker.ts on the canvases handed over to it, so the
// page's thread only forwards each batch's record; it keeps the scales' start and latest value
// itself to say which one moved most.
import type { QatProgress } from "quantlab";
import { pageChartLook } from "../shell/chart-look";
import type { ChartMessage } from "./chart-worker";

export class QatCharts {
  private readonly worker = new Worker(
    new URL("./chart-worker.ts", import.meta.url),
    { type: "module" },
  );
  private readonly start = new Map<string, number>();
  private readonly latest = new Map<string, number>();

  constructor(curveCanvas: HTMLCanvasElement, scaleCanvas: HTMLCanvasElement) {
    const curves = curveCanvas.transferControlToOffscreen();
    const scales = scaleCanvas.transferControlToOffscreen();
    this.post(
      { kind: "init", curves, scales, devicePixelRatio, look: pageChartLook() },
      [curves, scales],
    );
    // The canvases follow their boxes' size (the worker cannot watch the page's layout).
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const { width, height } = entry.contentRect;
        this.post({
          kind: "resize",
          which: entry.target === curveCanvas ? "curves" : "scales",
          width: Math.round(width),
          height: Math.round(height),
        });
      }
    });
    observer.observe(curveCanvas);
    observer.observe(scaleCanvas);
  }

  private post(message: ChartMessage, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** Empties both charts for a new run. */
  clear(): void {
    this.start.clear();
    this.latest.clear();
    this.post({ kind: "clear" });
  }

  add(progress: QatProgress): void {
    for (const [name, scale] of Object.entries(progress.scales)) {
      if (!this.start.has(name)) this.start.set(name, scale);
      this.latest.set(name, scale);
    }
    this.post({ kind: "add", progress });
  }

  /** How far each scale moved from its start (a ratio), largest move first. */
  moves(): { name: string; ratio: number }[] {
    return [...this.latest]
      .map(([name, scale]) => ({ name, ratio: scale / this.start.get(name)! }))
      .sort((a, b) => Math.abs(b.ratio - 1) - Math.abs(a.ratio - 1));
  }
}
