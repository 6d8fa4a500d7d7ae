// A quantized model's int8 layers in ONNX's QDQ form, so ONNX Runtime Web runs its own int8
// graph built from our calibrated scales: QuantizeLinear → DequantizeLinear pairs with each
// static layer's input scale and zero point (where our engine quantizes its activations or
// requantizes between layers), weights as DequantizeLinear of our int8 codes with their
// per-channel scales, biases as int32 at scale s_x·s_w (ONNX's convention for QLinearConv and
// QGemm). ONNX Runtime's QDQ transformers fuse these into QLinearConv, QGemm and int8 MaxPool
// (its profiler shows no float layer left in fashion-cnn).
import { OnnxType, type OnnxNode, type OnnxTensor } from "./onnx-model";
import type { SafetensorsEntry } from "./safetensors";

export interface QdqParams {
  scale: number;
  zeroPoint: number;
}

/** One int8-static layer: its input mapping and its weights as our engine holds them. */
export interface QdqLayer {
  input: QdqParams;
  /** Symmetric int8 codes [out, in·kh·kw], one scale per output channel. */
  codes: Int8Array;
  scales: Float32Array;
}

export interface QdqModel {
  layers: Map<string, QdqLayer>;
  /** Layers whose output our engine carries as int8 codes, with the consumer's mapping. */
  requantizeAfter: Map<string, QdqParams>;
}

/** The manifest fields of a quantized model (docs/quantized-model-format.md) this reads. */
export interface QuantizedManifest {
  architecture: { layers: { kind: string; name: string }[] };
  quantization: {
    input_params: Record<string, { scale: number; zero_point: number }>;
  };
}

// ReLU, max-pool and flatten work on the codes in our engine (quantize/executor.cpp).
const PRESERVES_CODES = new Set(["relu", "maxpool2d", "flatten"]);
const AFFINE = new Set(["conv2d", "linear"]);

/**
 * The QDQ description of a quantized model whose Linear/Conv2d layers all have int8 weights
 * (symmetric, per channel) and static int8 activations, as the `int8` preset makes.
 */
export function qdqModel(
  manifest: QuantizedManifest,
  tensors: Map<string, SafetensorsEntry>,
): QdqModel {
  const layers = manifest.architecture.layers.filter(
    (l) => l.kind !== "dropout",
  );
  const params = manifest.quantization.input_params;
  const model: QdqModel = { layers: new Map(), requantizeAfter: new Map() };
  for (const layer of layers.filter((l) => AFFINE.has(l.kind))) {
    const input = params[layer.name];
    const codes = tensors.get(`${layer.name}.weight.codes`);
    const scales = tensors.get(`${layer.name}.weight.scales`);
    if (input === undefined || codes?.dtype !== "I8" || scales === undefined)
      throw new Error(
        `layer ${layer.name}: only int8 weights with static int8 activations have a QDQ form here`,
      );
    if (tensors.has(`${layer.name}.weight.zero_points`))
      throw new Error(
        `layer ${layer.name}: asymmetric weights are not supported here`,
      );
    const scaleValues = new Float32Array(
      scales.data.buffer,
      scales.data.byteOffset,
      scales.data.byteLength / 4,
    );
    if (codes.data.length % scaleValues.length !== 0)
      throw new Error(
        `layer ${layer.name}: weights need one scale per output channel`,
      );
    model.layers.set(layer.name, {
      input: { scale: input.scale, zeroPoint: input.zero_point },
      codes: new Int8Array(
        codes.data.buffer,
        codes.data.byteOffset,
        codes.data.length,
      ),
      scales: scaleValues,
    });
  }
  // Where a static layer's producer is static too, our engine requantizes the producer's output
  // to the consumer's mapping and ReLU/pooling/flatten work on codes: Q/DQ after each of them.
  // Not between an affine layer and its ReLU: ReLU then quantize is the same codes (Eq. 4 clamps
  // at the zero point), and ONNX Runtime fuses Conv → Relu → QuantizeLinear.
  layers.forEach((layer, consumer) => {
    const target = model.layers.get(layer.name);
    if (target === undefined) return;
    let producer = consumer;
    while (producer > 0 && PRESERVES_CODES.has(layers[producer - 1]!.kind))
      --producer;
    if (producer === 0 || !model.layers.has(layers[producer - 1]!.name)) return;
    for (let i = producer - 1; i < consumer; ++i) {
      if (AFFINE.has(layers[i]!.kind) && layers[i + 1]!.kind === "relu")
        continue;
      model.requantizeAfter.set(layers[i]!.name, target.input);
    }
  });
  return model;
}

// Round half to even, as ONNX's QuantizeLinear does.
function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const fraction = v - floor;
  if (fraction !== 0.5) return Math.round(v);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Adds the nodes and initializers of QDQ pieces to a graph being built. */
export class QdqBuilder {
  constructor(
    private readonly nodes: OnnxNode[],
    private readonly initializers: OnnxTensor[],
  ) {}

  /** QuantizeLinear → DequantizeLinear of `input` with `params`; returns the float output. */
  quantizeDequantize(input: string, params: QdqParams): string {
    const name = `${input}_qdq`;
    const scale = this.scalar(
      `${name}.scale`,
      OnnxType.float,
      Float32Array.of(params.scale),
    );
    const zero = this.scalar(
      `${name}.zero_point`,
      OnnxType.int8,
      Int8Array.of(params.zeroPoint),
    );
    this.nodes.push(
      {
        opType: "QuantizeLinear",
        inputs: [input, scale, zero],
        outputs: [`${name}.q`],
      },
      {
        opType: "DequantizeLinear",
        inputs: [`${name}.q`, scale, zero],
        outputs: [name],
      },
    );
    return name;
  }

  /** A layer's weight [out, ...dims] and bias as DequantizeLinear outputs; returns both names. */
  weightAndBias(
    layer: string,
    q: QdqLayer,
    dims: number[],
    bias: Float32Array,
  ): [string, string] {
    const out = q.scales.length;
    const perChannel = (
      name: string,
      type: OnnxTensor["type"],
      data: OnnxTensor["data"],
      shape: number[],
    ) => {
      this.initializers.push({ name, type, dims: shape, data });
      return name;
    };
    const axis = [{ name: "axis", int: 0 }];
    const weight = `${layer}.weight_dq`;
    this.nodes.push({
      opType: "DequantizeLinear",
      inputs: [
        perChannel(`${layer}.weight.codes`, OnnxType.int8, q.codes, dims),
        perChannel(`${layer}.weight.scales`, OnnxType.float, q.scales, [out]),
        perChannel(
          `${layer}.weight.zero_points`,
          OnnxType.int8,
          new Int8Array(out),
          [out],
        ),
      ],
      outputs: [weight],
      attributes: axis,
    });
    const biasScales = q.scales.map((s) => s * q.input.scale);
    const biasCodes = Int32Array.from(bias, (b, c) =>
      roundHalfEven(b / biasScales[c]!),
    );
    const biasName = `${layer}.bias_dq`;
    this.nodes.push({
      opType: "DequantizeLinear",
      inputs: [
        perChannel(`${layer}.bias.codes`, OnnxType.int32, biasCodes, [out]),
        perChannel(`${layer}.bias.scales`, OnnxType.float, biasScales, [out]),
        perChannel(
          `${layer}.bias.zero_points`,
          OnnxType.int32,
          new Int32Array(out),
          [out],
        ),
      ],
      outputs: [biasName],
      attributes: axis,
    });
    return [weight, biasName];
  }

  private scalar(
    name: string,
    type: OnnxTensor["type"],
    data: OnnxTensor["data"],
  ): string {
    this.initializers.push({ name, type, dims: [], data });
    return name;
  }
}
