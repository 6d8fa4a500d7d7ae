// Builds the small ONNX models that the benchmark runs through ONNX Runtime Web, in memory:
// a minimal protobuf writer for the few ModelProto fields they need (field numbers from
// onnx/onnx.proto), so no model file and no protobuf dependency is involved.

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { float: 1, uint8: 2, int8: 3, int32: 6 } as const;
type OnnxTypeId = (typeof OnnxType)[keyof typeof OnnxType];

export interface OnnxTensor {
  name: string;
  type: OnnxTypeId;
  dims: readonly number[];
  data: Float32Array | Uint8Array | Int8Array | Int32Array;
}

export interface OnnxValue {
  name: string;
  type: OnnxTypeId;
  dims: readonly number[];
}

export type OnnxAttribute =
  { name: string; int: number } | { name: string; ints: readonly number[] };

export interface OnnxNode {
  opType: string;
  domain?: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
}

export interface OnnxGraph {
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
}

const IR_VERSION = 8;
const ONNX_OPSET = 17;
const MICROSOFT_OPSET = 1;
const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

/** Appends protobuf fields to a growing byte list. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  varintField(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  bytesField(field: number, bytes: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.varint(bytes.length);
    this.push(bytes);
    return this;
  }

  stringField(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  messageField(field: number, message: ProtoWriter): this {
    return this.bytesField(field, message.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  // Non-negative integers only (sizes, dims, enum values, attribute values used here): plain
  // division keeps values above 2^32 exact where bit operators would truncate.
  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(
        `protobuf varint needs a non-negative safe integer, got ${value}`,
      );
    }
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    this.push(Uint8Array.from(bytes));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
}

function tensorProto(tensor: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const dim of tensor.dims) w.varintField(1, dim);
  w.varintField(2, tensor.type).stringField(8, tensor.name);
  const data = tensor.data;
  return w.bytesField(
    9,
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  );
}

function valueInfoProto(value: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of value.dims)
    shape.messageField(1, new ProtoWriter().varintField(1, dim));
  const tensorType = new ProtoWriter()
    .varintField(1, value.type)
    .messageField(2, shape);
  return new ProtoWriter()
    .stringField(1, value.name)
    .messageField(2, new ProtoWriter().messageField(1, tensorType));
}

function attributeProto(attribute: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().stringField(1, attribute.name);
  if ("int" in attribute)
    return w.varintField(3, attribute.int).varintField(20, ATTRIBUTE_INT);
  for (const value of attribute.ints) w.varintField(8, value);
  return w.varintField(20, ATTRIBUTE_INTS);
}

function nodeProto(node: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.stringField(1, input);
  for (const output of node.outputs) w.stringField(2, output);
  w.stringField(3, `${node.opType}_${index}`).stringField(4, node.opType);
  for (const attribute of node.attributes ?? [])
    w.messageField(5, attributeProto(attribute));
  if (node.domain) w.stringField(7, node.domain);
  return w;
}

/** Serialized ModelProto (opset 17 plus com.microsoft 1) holding one graph. */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((node, i) => g.messageField(1, nodeProto(node, i)));
  g.stringField(2, "quantlab_bench");
  for (const tensor of graph.initializers)
    g.messageField(5, tensorProto(tensor));
  for (const input of graph.inputs) g.messageField(11, valueInfoProto(input));
  for (const output of graph.outputs)
    g.messageField(12, valueInfoProto(output));

  const opset = (domain: string, version: number) =>
    new ProtoWriter().stringField(1, domain).varintField(2, version);
  return new ProtoWriter()
    .varintField(1, IR_VERSION)
    .stringField(2, "quantlab")
    .messageField(7, g)
    .messageField(8, opset("", ONNX_OPSET))
    .messageField(8, opset("com.microsoft", MICROSOFT_OPSET))
    .finish();
}
