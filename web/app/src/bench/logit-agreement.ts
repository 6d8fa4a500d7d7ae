// How far ONNX Runtime's logits are from ours on the same images (the end-to-end rows), and the
// limits the rows are held to: tests/web/ort-int8.test.ts in Node and tests/e2e/bench.spec.ts
// on the bench page check the same ones.

/**
 * Our int8 model against ORT's int8 QDQ graph of it: both quantize the same activations with the
 * same scales and zero points, so they differ only where ORT requantizes a layer's output in
 * fixed point and rounds a code the other way (one step of that layer's scale) or quantizes the
 * bias to int32 (half a step of s_x·s_w): measured 2.6e-3 of the largest logit over 256
 * fashion-cnn images; 1e-2 leaves room, while a wrong scale, zero point or layout moves logits by
 * tens of percent. Top-1 classes: the same on at least 99% of the images (measured 100%).
 */
export const INT8_LOGIT_TOLERANCE = { difference: 1e-2, agreement: 0.99 };

/**
 * Our FP32 executor against ORT's FP32 graph: the same weights in f32, summed in another order,
 * so the logits differ by rounding alone (a few 1e-7 of the largest logit over a few hundred
 * products per output); 1e-4 still fails by orders of magnitude on a wrong layout or layer.
 */
export const FP32_LOGIT_TOLERANCE = 1e-4;

/** Largest |ours − theirs| relative to the largest |ours|. */
export function maxRelativeDifference(
  ours: Float32Array,
  theirs: Float32Array,
): number {
  if (ours.length !== theirs.length)
    throw new Error(
      `ONNX Runtime gave ${theirs.length} logits, ours ${ours.length}`,
    );
  let scale = 0;
  let difference = 0;
  for (let i = 0; i < ours.length; ++i) {
    scale = Math.max(scale, Math.abs(ours[i]!));
    difference = Math.max(difference, Math.abs(ours[i]! - theirs[i]!));
  }
  return difference / scale;
}

/** Fraction of images (rows of `classes` logits) whose largest logit is the same class in both. */
export function topOneAgreement(
  ours: Float32Array,
  theirs: Float32Array,
  classes: number,
): number {
  const images = ours.length / classes;
  const top = (values: Float32Array, image: number) => {
    const row = values.subarray(image * classes, (image + 1) * classes);
    return row.indexOf(Math.max(...row));
  };
  let same = 0;
  for (let image = 0; image < images; ++image)
    if (top(ours, image) === top(theirs, image)) ++same;
  return same / images;
}
