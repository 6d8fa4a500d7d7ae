// What the benchmark runs: the issue's shapes (GEMV/GEMM of LLM-sized layers, the shipped
// CNN's convolutions) and, for each, the kernel kinds. Work and traffic counts live here so the
// table, the roofline and the target checks all use one definition.
import type { RawConvShape } from "quantlab";

/** Kernel kinds: FP32; INT8 with per-row dynamic activations (qd8); INT4 group-32 weights
 * against f32 (W4A32) or dynamically quantized int8 activations (W4A8). */
export type KernelKind = "f32" | "qd8" | "w4a32" | "w4a8";
export const KERNEL_KINDS: readonly KernelKind[] = [
  "f32",
  "qd8",
  "w4a32",
  "w4a8",
];
export const KIND_LABELS: Record<KernelKind, string> = {
  f32: "FP32",
  qd8: "INT8 dyn",
  w4a32: "W4A32 g32",
  w4a8: "W4A8 g32",
};
export const INT4_GROUP_SIZE = 32;

export interface MatmulCase {
  op: "gemv" | "gemm";
  name: string;
  /** C[M, N] = A[M, K] · W[N, K]ᵀ */
  m: number;
  n: number;
  k: number;
}

/** NCHW convolution, square kernel: the geometry the engine's conv bindings take. */
export interface ConvCase extends RawConvShape {
  op: "conv";
  name: string;
}

export type BenchCase = MatmulCase | ConvCase;

function matmul(m: number, n: number, k: number): MatmulCase {
  // Named M×K×N: rows of activations × reduction × outputs, the issue's order (1×4096×11008).
  return {
    op: m === 1 ? "gemv" : "gemm",
    name: `${m === 1 ? "GEMV" : "GEMM"} ${m}×${k}×${n}`,
    m,
    n,
    k,
  };
}

function conv3x3(
  batch: number,
  size: number,
  inChannels: number,
  outChannels: number,
): ConvCase {
  return {
    op: "conv",
    name: `conv ${size}×${size}×${inChannels}→${outChannels} b${batch}`,
    batch,
    inChannels,
    height: size,
    width: size,
    outChannels,
    kernel: 3,
    stride: 1,
    padding: 1,
  };
}

export const ISSUE_CASES: readonly BenchCase[] = [
  matmul(1, 1024, 1024),
  matmul(1, 4096, 4096),
  matmul(1, 11008, 4096),
  matmul(64, 1024, 1024),
  matmul(256, 1024, 1024),
  conv3x3(1, 28, 1, 16),
  conv3x3(64, 28, 1, 16),
  conv3x3(1, 14, 16, 32),
  conv3x3(64, 14, 16, 32),
];

/** Tiny shapes for the smoke test: every op, odd sizes. */
export const SMOKE_CASES: readonly BenchCase[] = [
  matmul(1, 24, 64),
  matmul(3, 20, 96),
  conv3x3(2, 6, 2, 5),
];

export function convOutputSize(c: ConvCase): { height: number; width: number } {
  const out = (size: number) =>
    Math.floor((size + 2 * c.padding - c.kernel) / c.stride) + 1;
  return { height: out(c.height), width: out(c.width) };
}

/** The matrix product a case amounts to: a convolution is its im2col GEMM. */
export function gemmDims(c: BenchCase): { m: number; n: number; k: number } {
  if (c.op !== "conv") return { m: c.m, n: c.n, k: c.k };
  const out = convOutputSize(c);
  return {
    m: c.batch * out.height * out.width,
    n: c.outChannels,
    k: c.inChannels * c.kernel * c.kernel,
  };
}

/** Multiply-adds counted as 2 operations: 2·M·N·K. */
export function flops(c: BenchCase): number {
  const { m, n, k } = gemmDims(c);
  return 2 * m * n * k;
}

export function weightCount(c: BenchCase): number {
  const { n, k } = gemmDims(c);
  return n * k;
}

export function inputCount(c: BenchCase): number {
  return c.op === "conv"
    ? c.batch * c.inChannels * c.height * c.width
    : c.m * c.k;
}

export function outputCount(c: BenchCase): number {
  const { m, n } = gemmDims(c);
  return m * n;
}

/** Bytes a call must move at least: weights as stored (with scales), f32 input and output. */
export function compulsoryBytes(c: BenchCase, weightBytes: number): number {
  return weightBytes + 4 * (inputCount(c) + outputCount(c));
}
