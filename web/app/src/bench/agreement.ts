// Checks that ONNX Runtime and our kernels computed the same thing on one case, so the time
// ratios compare equal work.
import type { KernelKind } from "./cases";

/** f32 unit roundoff: half an ulp of 1. */
const F32_EPSILON = 2 ** -24;

/**
 * Kinds whose activations each library quantizes on its own (ours per row, asymmetric; ONNX
 * Runtime per tensor or per block) differ by that quantization noise, not by rounding. With
 * activations in [-1, 1] an int8 step is 2/255, whose uniform error has RMS 0.0023 against an
 * activation RMS of 0.58: 0.4% relative noise per library, about 0.6% for the difference of
 * two independent ones. 2% leaves room for unlucky draws and still fails by two orders of
 * magnitude on a transposed or misquantized weight (a wrong result differs by ~140%).
 */
export const QUANTIZED_ACTIVATION_RMS_TOLERANCE = 0.02;

export interface Agreement {
  kind: KernelKind;
  /** 'rounding': every output within the f32 rounding bound; 'rms': relative RMS difference. */
  test: "rounding" | "rms";
  /** rounding: largest |difference| ÷ its bound; rms: RMS difference ÷ RMS of ours. */
  measured: number;
  limit: number;
  pass: boolean;
}

/**
 * FP32 and W4A32 use the same (dequantized) weights in f32 arithmetic, so outputs differ only by
 * summation order. Each sum of K products is within γ_K·Σ|a||w| of the exact value, with
 * γ_K = K·ε/(1 - K·ε) (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), so two
 * orders differ by at most 2·γ_K·Σ|a||w|.
 */
export function roundingAgreement(
  kind: KernelKind,
  ours: Float32Array,
  theirs: Float32Array,
  activations: Float32Array,
  weights: Float32Array,
  dims: { m: number; n: number; k: number },
): Agreement {
  const { m, n, k } = dims;
  const gamma = (k * F32_EPSILON) / (1 - k * F32_EPSILON);
  let worst = 0;
  for (let row = 0; row < m; ++row) {
    for (let col = 0; col < n; ++col) {
      let magnitude = 0;
      for (let i = 0; i < k; ++i)
        magnitude += Math.abs(
          activations[row * k + i]! * weights[col * k + i]!,
        );
      const bound = 2 * gamma * magnitude;
      const difference = Math.abs(
        ours[row * n + col]! - theirs[row * n + col]!,
      );
      worst = Math.max(
        worst,
        bound === 0 ? (difference === 0 ? 0 : Infinity) : difference / bound,
      );
    }
  }
  return {
    kind,
    test: "rounding",
    measured: worst,
    limit: 1,
    pass: worst <= 1,
  };
}

export function rmsAgreement(
  kind: KernelKind,
  ours: Float32Array,
  theirs: Float32Array,
): Agreement {
  let difference = 0;
  let signal = 0;
  for (let i = 0; i < ours.length; ++i) {
    difference += (ours[i]! - theirs[i]!) ** 2;
    signal += ours[i]! ** 2;
  }
  const measured = signal === 0 ? Infinity : Math.sqrt(difference / signal);
  const limit = QUANTIZED_ACTIVATION_RMS_TOLERANCE;
  return { kind, test: "rms", measured, limit, pass: measured <= limit };
}
