// The tensors of a safetensors file (an 8-byte header length, a JSON header, then the data) for
// the benchmark's ONNX graphs.

export interface SafetensorsEntry {
  dtype: string;
  /** Little-endian values, a copy aligned for any typed array. */
  data: Uint8Array;
}

/** Tensors of a safetensors file by name, each as its raw little-endian bytes and dtype. */
export function readSafetensors(
  bytes: Uint8Array,
): Map<string, SafetensorsEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
  ) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = entry.data_offsets;
    const data = bytes.slice(8 + headerLength + begin, 8 + headerLength + end);
    tensors.set(name, { dtype: entry.dtype, data });
  }
  return tensors;
}
