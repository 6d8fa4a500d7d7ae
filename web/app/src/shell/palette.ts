// The charts' common look: one colour and one point shape per row of a report (FP32 first,
// then the plans), so a plan looks the same on every chart and the shapes tell the rows apart
// without colour too; and the legend below the plot that names them by their shapes.
export const COLORS = [
  "#0f172a",
  "#4f46e5",
  "#0891b2",
  "#16a34a",
  "#ea580c",
  "#be185d",
  "#7c3aed",
];

export const POINT_STYLES = [
  "circle",
  "rect",
  "triangle",
  "rectRot",
  "crossRot",
  "star",
  "rectRounded",
] as const;

export const MUTED = "#64748b";

export const POINT_LEGEND = {
  position: "bottom",
  labels: { usePointStyle: true, boxWidth: 8 },
} as const;
