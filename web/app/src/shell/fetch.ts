// Fetching with progress, for models and datasets (no engine needed).

/** Progress of a download or a job: done of total (total 0: unknown). */
export type OnProgress = (done: number, total: number, what: string) => void;

/** Fetches a file, reporting bytes received. */
export async function fetchBytes(
  url: string,
  what: string,
  onProgress?: OnProgress,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const response = await fetch(url, { signal });
  if (!response.ok)
    throw new Error(
      `${what}: the server answered ${response.status} for ${url}`,
    );
  const total = Number(response.headers.get("content-length") ?? 0);
  if (response.body === null || onProgress === undefined)
    return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let done = 0;
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    chunks.push(value);
    done += value.length;
    onProgress(done, total, what);
  }
  const bytes = new Uint8Array(done);
  chunks.reduce((at, chunk) => (bytes.set(chunk, at), at + chunk.length), 0);
  return bytes;
}
