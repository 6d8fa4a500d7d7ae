// The quantlab package in Node (exports condition "node"): the same API as index.ts, with the
// engine in a worker_threads Worker.
import "./platform/node-threads.js";
import { quantLabFactory, type CreateQuantLab } from "./api/quantlab.js";
import { nodePlatform } from "./platform/node.js";

export * from "./public.js";

/** A QuantLab instance, its engine in a worker_threads Worker by default (see QuantLabOptions). */
export const createQuantLab: CreateQuantLab = quantLabFactory(nodePlatform);
