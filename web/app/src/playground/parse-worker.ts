// Parses a large list of numbers (an uploaded file, or a big paste handed over as a Blob) off
// the page's thread: 10^6 numbers take seconds, which would freeze the page. Posts
// {progress} while reading, then {values} (transferred) or {problem}.
import { parseNumbers } from "./parse";

export type ParseMessage =
  { progress: number } | { values: Float32Array } | { problem: string };

const post = (message: ParseMessage, transfer: Transferable[] = []) =>
  postMessage(message, { transfer });

addEventListener("message", async (event: MessageEvent<Blob>) => {
  try {
    const text = await event.data.text();
    const result = parseNumbers(text, (progress) => post({ progress }));
    if ("values" in result) post(result, [result.values.buffer]);
    else post(result);
  } catch (error) {
    post({ problem: `The file could not be read: ${String(error)}` });
  }
});
