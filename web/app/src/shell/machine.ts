// Where the lab measured, for a report's "machine" field (History lists it): the browser and
// its version, the engine's threads, the logical cores and the platform, as the browser states
// them.
const BROWSERS: [RegExp, string][] = [
  [/Firefox\/(\d+)/, "Firefox"],
  [/Edg\/(\d+)/, "Edge"],
  [/Chrome\/(\d+)/, "Chrome"],
  [/Version\/(\d+)[\d.]* .*Safari/, "Safari"],
];

/** "one thread" or "2 threads": what the engine ran on (lab.info().threads). */
export const threadsPhrase = (threads: number) =>
  threads === 1 ? "one thread" : `${threads} threads`;

export function browserMachine(threads: number): string {
  const agent = navigator.userAgent;
  const browser = BROWSERS.map(([pattern, name]) => {
    const match = pattern.exec(agent);
    return match === null ? undefined : `${name} ${match[1]}`;
  }).find((name) => name !== undefined);
  // The user agent's first parentheses name the platform: "X11; Linux x86_64",
  // "Windows NT 10.0; Win64; x64", "Linux; Android 14; Pixel 8".
  const platform =
    /\(([^)]+)\)/.exec(agent)?.[1]?.replaceAll("; ", ", ") ??
    "an unknown platform";
  return `wasm SIMD128 in ${browser ?? "a browser"}, ${threadsPhrase(threads)}, on ${platform} (${navigator.hardwareConcurrency} logical cores)`;
}
