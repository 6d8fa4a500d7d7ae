// Gzip is undone here, outside the engine (which takes raw bytes): with the Compression
// Streams API, which browsers, workers and Node >= 18 all provide.

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** The bytes, gunzipped when they start with the gzip magic number. */
export async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      // A copy: the stream API wants bytes backed by a plain (not shared) ArrayBuffer.
      controller.enqueue(new Uint8Array(bytes));
      controller.close();
    },
  }).pipeThrough(new DecompressionStream("gzip"));
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(`gzip data is damaged or truncated: ${String(error)}`);
  }
}
