// Every chart's text in the page's font and muted ink (lab.css). Chart.js's own default family
// ("Helvetica Neue", Helvetica, Arial) is not the page's system-ui stack, and a chart drawn in a
// worker cannot read the page's styles: the page reads them here and hands them over.
import type { Chart } from "chart.js";

export interface ChartLook {
  family: string;
  color: string;
}

/** The page's font family and muted text colour, from its styles. */
export function pageChartLook(): ChartLook {
  const root = getComputedStyle(document.documentElement);
  return {
    family: root.fontFamily,
    color: root.getPropertyValue("--muted").trim(),
  };
}

/** Makes every chart this copy of Chart.js draws (on the page or in a worker) use `look`. */
export function useChartLook(chart: typeof Chart, look: ChartLook): void {
  chart.defaults.font.family = look.family;
  chart.defaults.color = look.color;
}
