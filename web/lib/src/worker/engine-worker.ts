// Entry point of the engine's module Worker (started by createEngineWorker).
import { engineWorkerHandlers } from "./engine-methods";
import type { MessageEndpoint } from "./protocol";
import { serveRequests } from "./server";

serveRequests(self as unknown as MessageEndpoint, engineWorkerHandlers());
