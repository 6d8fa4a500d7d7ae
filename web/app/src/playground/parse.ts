// Numbers pasted by a person: separated by commas, semicolons, spaces or new lines. Anything
// that is not a number is reported with its position. NaN and Infinity are numbers here; the
// engine rejects them with its own message.

const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

export type ParseResult = { values: Float32Array } | { problem: string };

export function parseNumbers(text: string): ParseResult {
  const tokens = text.split(/[\s,;]+/).filter((token) => token !== "");
  if (tokens.length === 0) return { problem: "Paste at least one number." };
  const values = new Float32Array(tokens.length);
  for (const [i, token] of tokens.entries()) {
    const value = SPECIAL.test(token) ? parseSpecial(token) : Number(token);
    if (Number.isNaN(value) && !SPECIAL.test(token)) {
      return {
        problem: `“${shorten(token)}” (item ${i + 1}) is not a number.`,
      };
    }
    values[i] = value;
  }
  return { values };
}

function parseSpecial(token: string): number {
  if (/nan/i.test(token)) return NaN;
  return token.startsWith("-") ? -Infinity : Infinity;
}

function shorten(token: string): string {
  return token.length > 20 ? `${token.slice(0, 20)}…` : token;
}
