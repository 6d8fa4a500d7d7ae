// The shipped weights travel as "byte planes" (the shuffle filter of HDF5 and Blosc): a
// safetensors file's header stays as it is, and its data, read as little-endian 4-byte words
// (float32), each rotated left by one bit so that the 8 exponent bits fill the top byte (the
// sign moves to the bottom bit), is rewritten as all bottom bytes, then all second bytes, and
// so on. Nothing is lost; the exponents of neighbouring weights are alike, while the mantissa's
// low bytes are close to random, so brotli packs fashion-cnn's weights into 688,456 bytes
// instead of 758,351 (690,708 without the rotation): that keeps the first visit within 1 MiB.
// The Vite build writes this form (vite.config.ts); the app restores the file before the
// engine reads it.

const WORD = 4;

/** Where the data starts: after the 8-byte little-endian header length and the header. */
function dataStart(file: Uint8Array): number {
  if (file.length < 8) return file.length;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = view.getUint32(0, true) + 2 ** 32 * view.getUint32(4, true);
  return Math.min(file.length, 8 + length);
}

/**
 * The file with its data's words rotated and their bytes moved from word order to plane order,
 * or back. Bytes past the last whole word, and a file too short to have a header, stay as they
 * are.
 */
function transpose(file: Uint8Array, toPlanes: boolean): Uint8Array {
  const start = dataStart(file);
  const words = Math.floor((file.length - start) / WORD);
  // A copy (Node's Buffer.slice would share the input's memory).
  const out = new Uint8Array(file);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let word = 0; word < words; ++word) {
    if (toPlanes) {
      const bits = view.getUint32(start + word * WORD, true);
      const rotated = ((bits << 1) | (bits >>> 31)) >>> 0;
      for (let plane = 0; plane < WORD; ++plane)
        out[start + plane * words + word] = (rotated >>> (8 * plane)) & 0xff;
    } else {
      let rotated = 0;
      for (let plane = 0; plane < WORD; ++plane)
        rotated |= file[start + plane * words + word]! << (8 * plane);
      const bits = ((rotated >>> 1) | (rotated << 31)) >>> 0;
      for (let byte = 0; byte < WORD; ++byte)
        out[start + word * WORD + byte] = (bits >>> (8 * byte)) & 0xff;
    }
  }
  return out;
}

/** A safetensors file as byte planes (the build does this). */
export const toBytePlanes = (file: Uint8Array) => transpose(file, true);

/** The safetensors file back from its byte planes (the app does this). */
export const fromBytePlanes = (planes: Uint8Array) => transpose(planes, false);
