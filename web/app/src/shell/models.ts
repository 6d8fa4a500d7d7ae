// The shipped models (models/*: manifest.json + model.safetensors), emitted by Vite as assets
// of the app and fetched only when a view needs one.
const manifests = import.meta.glob("../../../../models/*/manifest.json", {
  query: "?url",
  import: "default",
  eager: true,
}) as Record<string, string>;
const weights = import.meta.glob("../../../../models/*/model.safetensors", {
  query: "?url",
  import: "default",
  eager: true,
}) as Record<string, string>;

export interface ShippedModel {
  name: string;
  manifestUrl: string;
  weightsUrl: string;
}

const ALL_SHIPPED: ShippedModel[] = Object.entries(manifests)
  .map(([path, manifestUrl]) => {
    const name = path.split("/").at(-2)!;
    const weightsUrl =
      weights[path.replace("manifest.json", "model.safetensors")]!;
    return { name, manifestUrl, weightsUrl };
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

export function shippedModel(name: string): ShippedModel | undefined {
  return SHIPPED_MODELS.find((m) => m.name === name);
}

/** What each shipped model is, in words, for the model picker. */
export const MODEL_DESCRIPTIONS: Record<string, string> = {
  "fashion-cnn": "clothes, CNN",
  "fashion-mlp": "clothes, MLP",
  "mnist-cnn": "digits, CNN",
  "mnist-mlp": "digits, MLP",
};
