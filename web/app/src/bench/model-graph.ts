// A QuantLab model (its manifest's architecture and its FP32 parameters) as an ONNX graph, so
// ONNX Runtime Web runs the very network our executor runs: Conv/Gemm with the same weights,
// Relu, MaxPool/AveragePool, Flatten, Softmax; Dropout is an inference no-op and is left out.
// With a QdqModel (qdq-model.ts), the int8 graph of a quantized model in QDQ form.
import {
  OnnxType,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
} from "./onnx-model";
import { QdqBuilder, type QdqModel, type QdqParams } from "./qdq-model";
import { readSafetensors } from "./safetensors";

/** The manifest fields this needs (quantlab's ModelManifest has them). */
export interface ModelArchitecture {
  input: { shape: number[] };
  architecture: {
    layers: { kind: string; name: string; [field: string]: unknown }[];
  };
}

/** FP32 tensors of a safetensors file by name. */
export function readSafetensorsF32(
  bytes: Uint8Array,
): Map<string, Float32Array> {
  const tensors = new Map<string, Float32Array>();
  for (const [name, entry] of readSafetensors(bytes)) {
    if (entry.dtype === "F32")
      tensors.set(name, new Float32Array(entry.data.buffer));
  }
  return tensors;
}

const int = (value: unknown) => value as number;

/**
 * The model's graph for a batch of `batch` inputs, input "X", output "Y": FP32, or with `qdq`
 * the int8 QDQ graph (`parameters` then needs only the biases and the FP32 layers' weights).
 */
export function modelGraph(
  model: ModelArchitecture,
  parameters: Map<string, Float32Array>,
  batch: number,
  qdq?: QdqModel,
): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const builder = new QdqBuilder(nodes, initializers);
  // The mapping of the Q/DQ pair `current` comes out of, if it does.
  let currentParams: QdqParams | undefined;
  const weight = (name: string, dims: number[]) => {
    const data = parameters.get(name);
    if (data === undefined)
      throw new Error(`the model has no parameter ${name}`);
    initializers.push({ name, type: OnnxType.float, dims, data });
    return name;
  };
  let current = "X";
  let shape = [batch, ...model.input.shape];
  const layers = model.architecture.layers.filter((l) => l.kind !== "dropout");
  // The weight and bias inputs of a Conv/Gemm: FP32 initializers, or DequantizeLinear of the
  // int8 codes after quantizing the layer's input (unless it already arrives quantized so).
  const weightAndBias = (name: string, dims: number[]) => {
    const q = qdq?.layers.get(name);
    if (q === undefined)
      return [
        weight(`${name}.weight`, dims),
        weight(`${name}.bias`, [dims[0]!]),
      ];
    if (currentParams !== q.input)
      current = builder.quantizeDequantize(current, q.input);
    const bias = parameters.get(`${name}.bias`);
    if (bias === undefined)
      throw new Error(`the model has no parameter ${name}.bias`);
    return builder.weightAndBias(name, q, dims, bias);
  };
  layers.forEach((layer, i) => {
    const last = i === layers.length - 1;
    const requantize = qdq?.requantizeAfter.get(layer.name);
    const output = last ? "Y" : layer.name;
    const node = (
      opType: string,
      inputs: string[],
      attributes: OnnxNode["attributes"] = [],
    ) =>
      nodes.push({
        opType,
        inputs: [current, ...inputs],
        outputs: [output],
        attributes,
      });
    const k = int(layer.kernel);
    switch (layer.kind) {
      case "conv2d": {
        const [out, inChannels, p, s] = [
          int(layer.out_channels),
          int(layer.in_channels),
          int(layer.padding),
          int(layer.stride),
        ];
        node("Conv", weightAndBias(layer.name, [out, inChannels, k, k]), [
          { name: "kernel_shape", ints: [k, k] },
          { name: "pads", ints: [p, p, p, p] },
          { name: "strides", ints: [s, s] },
        ]);
        shape = [
          batch,
          out,
          (shape[2]! + 2 * p - k) / s + 1,
          (shape[3]! + 2 * p - k) / s + 1,
        ].map(Math.floor);
        break;
      }
      case "linear": {
        const [out, inFeatures] = [
          int(layer.out_features),
          int(layer.in_features),
        ];
        node("Gemm", weightAndBias(layer.name, [out, inFeatures]), [
          { name: "transB", int: 1 },
        ]);
        shape = [batch, out];
        break;
      }
      case "relu":
        node("Relu", []);
        break;
      case "maxpool2d":
      case "avgpool2d": {
        const s = int(layer.stride);
        node(
          layer.kind === "maxpool2d" ? "MaxPool" : "AveragePool",
          [],
          [
            { name: "kernel_shape", ints: [k, k] },
            { name: "strides", ints: [s, s] },
          ],
        );
        shape = [
          shape[0]!,
          shape[1]!,
          Math.floor((shape[2]! - k) / s) + 1,
          Math.floor((shape[3]! - k) / s) + 1,
        ];
        break;
      }
      case "flatten":
        node("Flatten", [], [{ name: "axis", int: 1 }]);
        shape = [batch, shape.slice(1).reduce((a, b) => a * b, 1)];
        break;
      case "softmax":
        node("Softmax", [], [{ name: "axis", int: 1 }]);
        break;
      default:
        throw new Error(
          `layer ${layer.name}: ${layer.kind} has no ONNX form here`,
        );
    }
    current = output;
    currentParams = undefined;
    if (requantize !== undefined && !last) {
      current = builder.quantizeDequantize(output, requantize);
      currentParams = requantize;
    }
  });
  return {
    nodes,
    initializers,
    inputs: [
      { name: "X", type: OnnxType.float, dims: [batch, ...model.input.shape] },
    ],
    outputs: [{ name: "Y", type: OnnxType.float, dims: shape }],
  };
}
