// The History's storage: the reports this browser kept, in IndexedDB (a few hundred kB per
// 10,000-image report is beyond what localStorage is meant for). The raw API in one small
// module, so the app needs no wrapper library for four operations.
import type { Report } from "quantlab";

/** One kept report and what the report itself does not say. */
export interface HistoryEntry {
  /** The store's key; absent until stored. */
  id?: number;
  /** When the report was made (ISO 8601): its `created` field, else its file's date. */
  created: string;
  /** Where `created` came from: the report's own field, or the imported file's date. */
  dated: "report" | "file";
  /** A finished Compare run, or an imported file. */
  source: "compare" | "import";
  /** The imported file's name. */
  fileName?: string;
  /** Compare's URL when it ran a shipped model (its query is the session: model, plan, calibration). */
  sessionUrl?: string;
  report: Report;
}

const DATABASE = "quantlab";
const STORE = "reports";

let database: Promise<IDBDatabase> | undefined;

function opened(): Promise<IDBDatabase> {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () =>
      request.result.createObjectStore(STORE, {
        keyPath: "id",
        autoIncrement: true,
      });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () =>
      reject(new Error("another tab holds an older version of the History"));
  });
  database.catch(() => (database = undefined));
  return database;
}

/** Runs `work` in one transaction; resolves with its request's result once it is committed. */
async function transaction<T>(
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const tx = (await opened()).transaction(STORE, mode);
  const request = work(tx.objectStore(STORE));
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error ?? request.error);
    tx.onabort = () => reject(tx.error ?? new Error("the browser refused"));
  });
}

/** Every kept report, oldest first. */
export async function allEntries(): Promise<HistoryEntry[]> {
  const entries = await transaction("readonly", (store) => store.getAll());
  return (entries as HistoryEntry[]).sort(
    (a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id! - b.id!,
  );
}

// Tells the lab's other tabs (a History open beside a Compare run) that the store changed.
const changes = new BroadcastChannel("quantlab-history");

/** Keeps an entry (a new one, or a deleted one again under its old id); resolves with its id. */
export async function putEntry(entry: HistoryEntry): Promise<number> {
  const id = (await transaction("readwrite", (store) =>
    store.put(entry),
  )) as number;
  changes.postMessage("changed");
  return id;
}

export async function deleteEntry(id: number): Promise<void> {
  await transaction("readwrite", (store) => store.delete(id));
  changes.postMessage("changed");
}

/** Calls `listener` when another tab of the lab changed the store. */
export function onOtherTabChange(listener: () => void): void {
  changes.addEventListener("message", listener);
}
