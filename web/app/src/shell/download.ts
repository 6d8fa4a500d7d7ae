// Offering the page's results as a file: no engine, no other shell module needed, so every
// page (the Kernels page too, which has its own worker) can use it.

/** Offers text or bytes as a file download. */
export function download(
  name: string,
  data: string | Uint8Array,
  type: string,
): void {
  const blob = new Blob([data as BlobPart], { type });
  const a = Object.assign(document.createElement("a"), {
    href: URL.createObjectURL(blob),
    download: name,
  });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
