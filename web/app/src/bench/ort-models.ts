// The ONNX graph that does the same work as one of our kernels on one case, with the same
// weights: f32 MatMul / Conv, DynamicQuantizeMatMul for int8 weights with dynamically quantized
// activations, MatMulNBits (4-bit, block 32) for the INT4 kinds.
import type { BenchCase, ConvCase, KernelKind, MatmulCase } from "./cases";
import { convOutputSize, INT4_GROUP_SIZE } from "./cases";
import { OnnxType, type OnnxGraph } from "./onnx-model";

/** Weights of one case as our kernels get them. */
export type CaseWeights =
  | { kind: "f32"; values: Float32Array }
  /** Symmetric int8 codes W[N, K] with one scale per output channel. */
  | { kind: "qd8"; codes: Uint8Array; scales: Float32Array }
  /** Symmetric 4-bit two's complement codes W[N, K], low nibble first, one scale per group. */
  | { kind: "w4a32" | "w4a8"; codes: Uint8Array; scales: Float32Array };

/** MatMulNBits accuracy_level: 0 computes in f32, 4 quantizes A to int8 (its W4A8 path). */
const MATMUL_NBITS_ACCURACY: Record<"w4a32" | "w4a8", number> = {
  w4a32: 0,
  w4a8: 4,
};

/** Our cases for which ONNX Runtime has an equivalent operator. */
export function ortSupports(c: BenchCase, kind: KernelKind): boolean {
  return c.op !== "conv" || kind === "f32";
}

export function ortGraph(c: BenchCase, weights: CaseWeights): OnnxGraph {
  if (c.op === "conv") {
    if (weights.kind !== "f32")
      throw new Error(
        `no ONNX Runtime equivalent for ${weights.kind} ${c.name}`,
      );
    return convGraph(c, weights.values);
  }
  return matmulGraph(c, weights);
}

function matmulGraph(c: MatmulCase, weights: CaseWeights): OnnxGraph {
  const { m, n, k } = c;
  const io = {
    inputs: [{ name: "A", type: OnnxType.float, dims: [m, k] }],
    outputs: [{ name: "Y", type: OnnxType.float, dims: [m, n] }],
  };
  switch (weights.kind) {
    case "f32":
      return {
        ...io,
        nodes: [{ opType: "MatMul", inputs: ["A", "B"], outputs: ["Y"] }],
        initializers: [
          {
            name: "B",
            type: OnnxType.float,
            dims: [k, n],
            data: transpose(weights.values, n, k),
          },
        ],
      };
    case "qd8":
      return {
        ...io,
        nodes: [
          {
            opType: "DynamicQuantizeMatMul",
            domain: "com.microsoft",
            inputs: ["A", "B", "B_scale"],
            outputs: ["Y"],
          },
        ],
        initializers: [
          {
            name: "B",
            type: OnnxType.int8,
            dims: [k, n],
            data: transpose(new Int8Array(weights.codes.buffer), n, k),
          },
          {
            name: "B_scale",
            type: OnnxType.float,
            dims: [n],
            data: weights.scales,
          },
        ],
      };
    case "w4a32":
    case "w4a8": {
      if (k % INT4_GROUP_SIZE !== 0)
        throw new Error(
          `MatMulNBits comparison needs K % ${INT4_GROUP_SIZE} == 0`,
        );
      const blocks = k / INT4_GROUP_SIZE;
      // MatMulNBits stores unsigned nibbles with an implicit zero point of 8: flipping each
      // nibble's top bit turns a two's complement code q into q + 8.
      const unsignedCodes = weights.codes.map((byte) => byte ^ 0x88);
      return {
        ...io,
        nodes: [
          {
            opType: "MatMulNBits",
            domain: "com.microsoft",
            inputs: ["A", "B", "scales"],
            outputs: ["Y"],
            attributes: [
              { name: "K", int: k },
              { name: "N", int: n },
              { name: "bits", int: 4 },
              { name: "block_size", int: INT4_GROUP_SIZE },
              {
                name: "accuracy_level",
                int: MATMUL_NBITS_ACCURACY[weights.kind],
              },
            ],
          },
        ],
        initializers: [
          {
            name: "B",
            type: OnnxType.uint8,
            dims: [n, blocks, INT4_GROUP_SIZE / 2],
            data: unsignedCodes,
          },
          {
            name: "scales",
            type: OnnxType.float,
            dims: [n * blocks],
            data: weights.scales,
          },
        ],
      };
    }
  }
}

function convGraph(c: ConvCase, weights: Float32Array): OnnxGraph {
  const out = convOutputSize(c);
  return {
    nodes: [
      {
        opType: "Conv",
        inputs: ["X", "W"],
        outputs: ["Y"],
        attributes: [
          { name: "kernel_shape", ints: [c.kernel, c.kernel] },
          { name: "pads", ints: [c.padding, c.padding, c.padding, c.padding] },
          { name: "strides", ints: [c.stride, c.stride] },
        ],
      },
    ],
    initializers: [
      {
        name: "W",
        type: OnnxType.float,
        dims: [c.outChannels, c.inChannels, c.kernel, c.kernel],
        data: weights,
      },
    ],
    inputs: [
      {
        name: "X",
        type: OnnxType.float,
        dims: [c.batch, c.inChannels, c.height, c.width],
      },
    ],
    outputs: [
      {
        name: "Y",
        type: OnnxType.float,
        dims: [c.batch, c.outChannels, out.height, out.width],
      },
    ],
  };
}

/** [rows, cols] row-major → [cols, rows] row-major. */
function transpose<T extends Float32Array | Int8Array>(
  values: T,
  rows: number,
  cols: number,
): T {
  const out = new (values.constructor as new (length: number) => T)(
    values.length,
  );
  for (let r = 0; r < rows; ++r) {
    for (let c = 0; c < cols; ++c) out[c * rows + r] = values[r * cols + c]!;
  }
  return out;
}
