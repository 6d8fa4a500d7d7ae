// Entry point of the engine's worker_threads Worker in Node (subpath `quantlab/worker`, node).
import "./platform/node-threads.js";
import { parentPort } from "node:worker_threads";
import { serveQuantLab } from "./api/serve.js";

if (parentPort === null)
  throw new Error("quantlab/worker must run in a worker thread");
const port = parentPort;
serveQuantLab({
  postMessage: (message, transfer) =>
    port.postMessage(message, transfer as never),
  addEventListener: (_type, listener) =>
    port.on("message", (data: unknown) => listener({ data } as MessageEvent)),
});
