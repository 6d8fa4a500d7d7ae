import type { SplitData } from "./mnist-split.mjs";
export const FASHION_SOURCE: string;
export const FASHION_SUBSET_PER_CLASS: number;
export const CALIBRATION_COUNT: number;
export interface BuiltSplit {
  dataset: string;
  split: string;
  data: SplitData;
  raw: boolean;
  app: boolean;
}
export function buildSplits(): BuiltSplit[];
export function writeAssets(
  rawDir: string,
  appDir: string,
): Record<string, unknown>;
