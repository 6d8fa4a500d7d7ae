// Reads one F32 tensor out of a model's safetensors bytes (the file the app already fetched
// for the engine), for views that show real weights: an 8-byte little-endian header length, a
// JSON header of {name: {dtype, shape, data_offsets}}, then the data.
export interface WeightTensor {
  name: string;
  values: Float32Array;
  shape: number[];
}

export function readTensor(file: Uint8Array, name: string): WeightTensor {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength + 8 > file.length)
    throw new Error("the weights file is cut short");
  const header = JSON.parse(
    new TextDecoder().decode(file.subarray(8, 8 + headerLength)),
  ) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const entry = header[name];
  if (entry === undefined || entry.dtype !== "F32")
    throw new Error(`the weights file has no F32 tensor ${name}`);
  const [begin, end] = entry.data_offsets;
  const bytes = file.slice(8 + headerLength + begin, 8 + headerLength + end);
  return { name, values: new Float32Array(bytes.buffer), shape: entry.shape };
}

/** A weight tensor as the 2-D matrix the kernels quantize: [output channels, K]. */
export function asMatrix(shape: number[]): [number, number] {
  const rows = shape[0] ?? 1;
  return [rows, shape.reduce((a, b) => a * b, 1) / rows];
}
