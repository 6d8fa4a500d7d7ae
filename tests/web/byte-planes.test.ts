// The shipped weights' transport form (web/app/src/shell/byte-planes.ts): the app must get back
// exactly the file the build started from, whatever its length.
import { readFile } from "node:fs/promises";
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  fromBytePlanes,
  toBytePlanes,
} from "../../web/app/src/shell/byte-planes";

// An 8-byte header length (little-endian), the header, then the data.
function safetensors(header: string, data: number[]): Uint8Array {
  const text = new TextEncoder().encode(header);
  const file = new Uint8Array(8 + text.length + data.length);
  new DataView(file.buffer).setUint32(0, text.length, true);
  file.set(text, 8);
  file.set(data, 8 + text.length);
  return file;
}

describe("byte planes", () => {
  test("keep the header, rotate each word left by a bit and put all bottom bytes first, …", () => {
    // Little-endian words 0x04030201, 0x08070605, 0x0c0b0a09, doubled by the rotation.
    const file = safetensors("{}", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(toBytePlanes(file).subarray(10))).toEqual([
      2, 10, 18, 4, 12, 20, 6, 14, 22, 8, 16, 24,
    ]);
    expect(toBytePlanes(file).subarray(0, 10)).toEqual(file.subarray(0, 10));
    expect(fromBytePlanes(toBytePlanes(file))).toEqual(file);
  });

  test("leave bytes past the last whole word where they are", () => {
    const file = safetensors("{}", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const planes = toBytePlanes(file);
    expect(Array.from(planes.subarray(10))).toEqual([
      2, 10, 4, 12, 6, 14, 8, 16, 9, 10,
    ]);
    expect(fromBytePlanes(planes)).toEqual(file);
  });

  test("move the sign bit to the bottom and the exponent into the top byte", () => {
    // -1.0f is 0xbf800000: sign 1, exponent 127. Rotated: 0x7f000001.
    const file = safetensors("{}", [0x00, 0x00, 0x80, 0xbf]);
    expect(Array.from(toBytePlanes(file).subarray(10))).toEqual([
      0x01, 0x00, 0x00, 0x7f,
    ]);
    expect(fromBytePlanes(toBytePlanes(file))).toEqual(file);
  });

  test("leave a file with no data, a short file or a too-long header as it is", () => {
    for (const file of [
      safetensors('{"a":1}', []),
      new Uint8Array([1, 2, 3]),
      Uint8Array.from([255, 255, 0, 0, 0, 0, 0, 0, 7, 7, 7, 7]),
    ]) {
      expect(toBytePlanes(file)).toEqual(file);
      expect(fromBytePlanes(file)).toEqual(file);
    }
  });

  test("give back every shipped model's weights bit for bit", async () => {
    const models = readdirSync("models", { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(models.length).toBeGreaterThanOrEqual(5);
    for (const model of models) {
      // A Buffer, as the build reads it: its slice() shares memory, a Uint8Array's copies.
      const file = await readFile(`models/${model}/model.safetensors`);
      const original = Buffer.from(file);
      const planes = toBytePlanes(file);
      expect(file.equals(original)).toBe(true);
      // Compared as Buffers: a deep equality of megabytes element by element takes a minute.
      expect(Buffer.from(planes).equals(file)).toBe(false);
      expect(Buffer.from(fromBytePlanes(planes)).equals(file)).toBe(true);
    }
  });
});
