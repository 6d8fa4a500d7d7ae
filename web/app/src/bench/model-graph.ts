// A QuantLab model (its manifest's architecture and its FP32 parameters) as an ONNX graph, so
// ONNX Runtime Web runs the very network our executor runs: Conv/Gemm with the same weights,
// Relu, MaxPool/AveragePool, Flatten, Softmax; Dropout is an inference no-op and is left out.
import {
  OnnxType,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
} from "./onnx-model";

/** The manifest fields this needs (quantlab's ModelManifest has them). */
export interface ModelArchitecture {
  input: { shape: number[] };
  architecture: {
    layers: { kind: string; name: string; [field: string]: unknown }[];
  };
}

/** FP32 tensors of a safetensors file by name (the format's header, then little-endian data). */
export function readSafetensorsF32(
  bytes: Uint8Array,
): Map<string, Float32Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
  ) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const tensors = new Map<string, Float32Array>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__" || entry.dtype !== "F32") continue;
    const [begin, end] = entry.data_offsets;
    const data = bytes.slice(8 + headerLength + begin, 8 + headerLength + end);
    tensors.set(name, new Float32Array(data.buffer));
  }
  return tensors;
}

const int = (value: unknown) => value as number;

/** The model's graph for a batch of `batch` inputs, input "X", output "Y". */
export function modelGraph(
  model: ModelArchitecture,
  parameters: Map<string, Float32Array>,
  batch: number,
): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
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
  layers.forEach((layer, i) => {
    const output = i === layers.length - 1 ? "Y" : layer.name;
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
        node(
          "Conv",
          [
            weight(`${layer.name}.weight`, [out, inChannels, k, k]),
            weight(`${layer.name}.bias`, [out]),
          ],
          [
            { name: "kernel_shape", ints: [k, k] },
            { name: "pads", ints: [p, p, p, p] },
            { name: "strides", ints: [s, s] },
          ],
        );
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
        node(
          "Gemm",
          [
            weight(`${layer.name}.weight`, [out, inFeatures]),
            weight(`${layer.name}.bias`, [out]),
          ],
          [{ name: "transB", int: 1 }],
        );
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
