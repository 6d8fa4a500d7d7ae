// The quantlab package in browsers and bundlers (exports condition "default"): the engine runs
// in a module Worker.
import { quantLabFactory, type CreateQuantLab } from "./api/quantlab.js";
import { browserPlatform } from "./platform/browser.js";

export * from "./public.js";

/** A QuantLab instance, its engine in a module Worker by default (see QuantLabOptions). */
export const createQuantLab: CreateQuantLab = quantLabFactory(browserPlatform);
