// The first `batch` test images of a 28×28 dataset as the end-to-end rows feed them: u8 images
// for our classify/logits (the engine normalizes), and the same normalized as the manifest says
// for lab.run and ONNX Runtime.
import type { IdxDataset } from "quantlab";

export interface ModelBatch {
  images: { images: Uint8Array; rows: number; cols: number };
  input: Float32Array;
  dims: number[];
}

export function modelBatch(
  test: IdxDataset,
  manifest: {
    input: { shape: number[]; pixel_scale: number; mean: number; std: number };
  },
  batch: number,
): ModelBatch {
  const images = {
    images: test.images.subarray(0, batch * 784),
    rows: 28,
    cols: 28,
  };
  const { pixel_scale, mean, std } = manifest.input;
  const input = Float32Array.from(
    images.images,
    (p) => (p * pixel_scale - mean) / std,
  );
  return { images, input, dims: [batch, ...manifest.input.shape] };
}
