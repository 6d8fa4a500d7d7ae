// Number formats for the results panel.

const SUPERSCRIPT: Record<string, string> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/** Four significant digits; scientific notation (1.23 × 10⁻⁵) for very small or large values. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value))
    return Number.isNaN(value) ? "—" : value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) {
    const [mantissa, exponent] = value.toExponential(2).split("e") as [
      string,
      string,
    ];
    const power = [...exponent.replace("+", "")]
      .map((c) => SUPERSCRIPT[c] ?? c)
      .join("");
    return `${mantissa} × 10${power}`;
  }
  return String(Number(value.toPrecision(4)));
}

export function formatFixed(value: number, decimals: number): string {
  if (!Number.isFinite(value))
    return Number.isNaN(value) ? "—" : value > 0 ? "∞" : "−∞";
  return value.toFixed(decimals);
}
