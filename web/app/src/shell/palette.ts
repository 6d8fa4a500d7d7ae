// The lab's chart colours, in the order series take them (distinct, and dark enough on white).
export const SERIES_COLORS = [
  "#0f172a",
  "#4f46e5",
  "#0891b2",
  "#16a34a",
  "#ea580c",
  "#be185d",
  "#7c3aed",
] as const;
