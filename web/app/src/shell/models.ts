// The shipped models (models/*: manifest.json + model.safetensors), emitted by Vite as assets
// of the app and fetched only when a view needs one; the weights as byte planes
// (byte-planes.ts), which compress better.
import { fetchBytes, type OnProgress } from "./fetch";
import { fromBytePlanes } from "./byte-planes";

const manifests = import.meta.glob("../../../../models/*/manifest.json", {
  query: "?url",
  import: "default",
  eager: true,
}) as Record<string, string>;
const weights = import.meta.glob("../../../../models/*/model.safetensors", {
  query: "?byte-planes",
  import: "default",
  eager: true,
}) as Record<string, string>;

export interface ShippedModel {
  name: string;
  manifestUrl: string;
  /** model.safetensors as byte planes: read it with fetchShippedWeights. */
  weightsBytePlanesUrl: string;
}

const ALL_SHIPPED: ShippedModel[] = Object.entries(manifests)
  .map(([path, manifestUrl]) => {
    const name = path.split("/").at(-2)!;
    const weightsBytePlanesUrl =
      weights[path.replace("manifest.json", "model.safetensors")]!;
    return { name, manifestUrl, weightsBytePlanesUrl };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

/** Language models are the directories named *-lm (models/README.md); only Generate reads them. */
const isLanguageModel = (model: ShippedModel) => model.name.endsWith("-lm");

/** The image classifiers every other view picks from. */
export const SHIPPED_MODELS: ShippedModel[] = ALL_SHIPPED.filter(
  (m) => !isLanguageModel(m),
);

/** The shipped transformer language model (models/brown-lm). */
export const SHIPPED_LANGUAGE_MODEL: ShippedModel =
  ALL_SHIPPED.find(isLanguageModel)!;

/** A shipped model's model.safetensors, fetched in its byte-plane form and restored. */
export async function fetchShippedWeights(
  model: ShippedModel,
  what: string,
  onProgress?: OnProgress,
): Promise<Uint8Array> {
  return fromBytePlanes(
    await fetchBytes(model.weightsBytePlanesUrl, what, onProgress),
  );
}

export function shippedModel(name: string): ShippedModel | undefined {
  return SHIPPED_MODELS.find((m) => m.name === name);
}

/** A shipped image model's manifest and model.safetensors, fetched. */
export async function fetchShippedFiles(
  name: string,
): Promise<{ manifest: Uint8Array; weights: Uint8Array }> {
  const shipped = shippedModel(name);
  if (shipped === undefined)
    throw new Error(`There is no shipped model called “${name}”.`);
  const [manifest, weights] = await Promise.all([
    fetchBytes(shipped.manifestUrl, `${name} manifest`),
    fetchShippedWeights(shipped, `${name} weights`),
  ]);
  return { manifest, weights };
}

/** What each shipped model is, in words, for the model picker. */
export const MODEL_DESCRIPTIONS: Record<string, string> = {
  "fashion-cnn": "clothes, CNN",
  "fashion-mlp": "clothes, MLP",
  "mnist-cnn": "digits, CNN",
  "mnist-mlp": "digits, MLP",
};
