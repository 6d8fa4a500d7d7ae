// Hands a quantized model made in one view (QAT) to Compare: its files go into the tab's
// sessionStorage and Compare, opened with ?from=handoff, loads them as if the user had picked
// them. A model handle cannot cross pages (each page has its own engine worker).
import type { SavedModel } from "quantlab";
import { readSession, sessionQuery } from "./session";

const KEY = "quantlab:handoff";

function toBase64(bytes: Uint8Array): string {
  let text = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk)
    text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(text);
}

export function handOver(name: string, files: SavedModel): void {
  sessionStorage.setItem(
    KEY,
    JSON.stringify({
      name,
      manifest: files.manifestJson,
      weights: toBase64(files.weights),
    }),
  );
}

/** Compare's address that picks up the handed-over model. */
export function handoffUrl(): string {
  const query = sessionQuery(readSession());
  return `./index.html${query}${query === "" ? "?" : "&"}from=handoff`;
}

/** The handed-over model's files (once), if this page was opened with ?from=handoff. */
export function takeHandoff(): File[] | undefined {
  if (new URLSearchParams(location.search).get("from") !== "handoff")
    return undefined;
  const text = sessionStorage.getItem(KEY);
  if (text === null) return undefined;
  const { name, manifest, weights } = JSON.parse(text) as {
    name: string;
    manifest: string;
    weights: string;
  };
  const bytes = Uint8Array.from(atob(weights), (c) => c.charCodeAt(0));
  return [
    new File([manifest], `${name}.manifest.json`, { type: "application/json" }),
    new File([bytes], `${name}.safetensors`),
  ];
}
