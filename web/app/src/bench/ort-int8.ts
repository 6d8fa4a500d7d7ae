// ONNX Runtime Web's int8 graph of a quantized model (QDQ, built from our calibrated scales and
// int8 codes by qdq-model.ts), for the end-to-end rows: its session, and how far its logits are
// from our integer executor's on the same images.
import type * as Ort from "onnxruntime-web";
import type { QuantizedModelHandle, QuantLab } from "quantlab";
import { maxRelativeDifference, topOneAgreement } from "./logit-agreement";
import type { ModelBatch } from "./model-batch";
import { modelGraph, readSafetensorsF32 } from "./model-graph";
import { createOrtSession } from "./ort-backend";
import { qdqModel, type QuantizedManifest } from "./qdq-model";
import { readSafetensors } from "./safetensors";

export interface OrtInt8 {
  session: Ort.InferenceSession;
  /** Largest |ours − ORT| over the int8 logits, relative to the largest |logit|. */
  difference: number;
  /** Fraction of images whose top class is the same in both. */
  agreement: number;
}

/** ORT's QDQ session for `handle` (an int8-static quantized model) at the batch's size, checked. */
export async function ortInt8Session(
  ort: typeof Ort,
  lab: QuantLab,
  handle: QuantizedModelHandle,
  { images, input, dims }: ModelBatch,
): Promise<OrtInt8> {
  const saved = await lab.saveModel(handle);
  const manifest = JSON.parse(saved.manifestJson) as QuantizedManifest & {
    input: { shape: number[] };
  };
  const graph = modelGraph(
    manifest,
    readSafetensorsF32(saved.weights),
    dims[0]!,
    qdqModel(manifest, readSafetensors(saved.weights)),
  );
  const session = await createOrtSession(ort, graph);
  const result = await session.run({
    X: new ort.Tensor("float32", input, dims),
  });
  const theirs = result.Y!.data as Float32Array;
  const { logits: ours, classes } = await lab.logits(handle, images);
  return {
    session,
    difference: maxRelativeDifference(ours, theirs),
    agreement: topOneAgreement(ours, theirs, classes),
  };
}
