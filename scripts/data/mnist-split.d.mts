export interface SplitData {
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}
export const SEED: number;
export const TEST_SIZE: number;
export const PIXELS: number;
export const CLASSES: number;
export function mulberry32(seed: number): () => number;
export function testCounts(classSizes: number[], total: number): number[];
export function readMnistDigits(): Uint8Array[][];
export function splitMnist(digits: Uint8Array[][]): {
  train: SplitData;
  test: SplitData;
};
