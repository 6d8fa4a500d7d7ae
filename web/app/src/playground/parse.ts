// Numbers pasted by a person: separated by commas, semicolons, spaces or new lines. Anything
// that is not a number is reported with its position. NaN and Infinity are numbers here; the
// engine rejects them with its own message. Large input runs in parse-worker.ts, which reports
// progress through `onProgress` (the fraction of the text read).

const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;
const PROGRESS_EVERY = 100_000;

export type ParseResult = { values: Float32Array } | { problem: string };

export function parseNumbers(
  text: string,
  onProgress?: (fraction: number) => void,
): ParseResult {
  const token = /[^\s,;]+/g;
  let values = new Float32Array(1024);
  let count = 0;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    const word = match[0];
    const special = SPECIAL.test(word);
    const value = special ? parseSpecial(word) : Number(word);
    if (Number.isNaN(value) && !special)
      return {
        problem: `“${shorten(word)}” (item ${count + 1}) is not a number.`,
      };
    if (count === values.length) {
      const grown = new Float32Array(2 * values.length);
      grown.set(values);
      values = grown;
    }
    values[count++] = value;
    if (onProgress && count % PROGRESS_EVERY === 0)
      onProgress(token.lastIndex / text.length);
  }
  if (count === 0) return { problem: "Paste at least one number." };
  return { values: values.slice(0, count) };
}

function parseSpecial(token: string): number {
  if (/nan/i.test(token)) return NaN;
  return token.startsWith("-") ? -Infinity : Infinity;
}

function shorten(token: string): string {
  return token.length > 20 ? `${token.slice(0, 20)}…` : token;
}
