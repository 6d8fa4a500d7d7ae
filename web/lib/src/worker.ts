// Entry point of the engine's module Worker in browsers (subpath `quantlab/worker`).
import { serveQuantLab } from "./api/serve.js";
import type { MessageEndpoint } from "./worker/protocol.js";

serveQuantLab(self as unknown as MessageEndpoint);
