// IDX encoding (the MNIST file format): big-endian magic 0x0000080R (u8 values, R dims),
// one u32 per dim, then the bytes. The engine's reader (engine/src/io/idx.cpp) checks it.

/** IDX bytes for u8 `data` with the given dims. */
export function encodeIdx(dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((dim, axis) => header.writeUInt32BE(dim, 4 + 4 * axis));
  if (data.length !== dims.reduce((a, b) => a * b, 1)) {
    throw new Error(
      `IDX dims [${dims}] need ${dims.reduce((a, b) => a * b, 1)} bytes, got ${data.length}`,
    );
  }
  return Buffer.concat([
    header,
    Buffer.from(data.buffer, data.byteOffset, data.length),
  ]);
}

/** { dims, data } of an IDX file of u8 values; throws on a malformed header or length. */
export function decodeIdx(bytes) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = buffer.readUInt32BE(0);
  if ((magic & 0xffffff00) !== 0x00000800)
    throw new Error(`not a u8 IDX file (magic 0x${magic.toString(16)})`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, axis) =>
    buffer.readUInt32BE(4 + 4 * axis),
  );
  const data = buffer.subarray(4 + 4 * rank);
  if (data.length !== dims.reduce((a, b) => a * b, 1))
    throw new Error(
      `IDX dims [${dims}] do not match ${data.length} data bytes`,
    );
  return { dims, data };
}
