// The app shell's top bar: one nav for every view, whose links carry the session (the URL
// query), so the model and plan follow the user from view to view.
import { onSessionChange, readSession, sessionQuery } from "./session";

/** The views, in nav order. */
export const VIEWS = [
  { file: "index.html", label: "Compare" },
  { file: "try.html", label: "Try it" },
  { file: "layers.html", label: "Layers" },
  { file: "calibration.html", label: "Calibration" },
  { file: "mixed.html", label: "Mixed" },
  { file: "qat.html", label: "QAT" },
  { file: "generate.html", label: "Generate" },
  { file: "bench.html", label: "Kernels" },
  { file: "history.html", label: "History" },
] as const;

/** Pages that belong to a view without a nav entry of their own. */
const PART_OF: Record<string, string> = { "tensor.html": "layers.html" };

function currentFile(): string {
  const file = location.pathname.split("/").pop() || "index.html";
  return PART_OF[file] ?? file;
}

export function renderNav(): void {
  const header = document.querySelector<HTMLElement>("header.topbar");
  if (header === null) return;
  header.replaceChildren();
  const brand = document.createElement("a");
  brand.className = "brand";
  brand.innerHTML =
    '<span class="brand-mark" aria-hidden="true">Q</span>QuantLab';
  const nav = document.createElement("nav");
  nav.setAttribute("aria-label", "Lab views");
  const here = currentFile();
  for (const view of VIEWS) {
    const a = document.createElement("a");
    a.textContent = view.label;
    a.dataset.file = view.file;
    if (view.file === here) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
  header.append(brand, nav);
  const update = () => {
    const query = sessionQuery(readSession());
    brand.href = `./index.html${query}`;
    for (const a of nav.querySelectorAll<HTMLAnchorElement>("a"))
      a.href = `./${a.dataset.file}${query}`;
  };
  update();
  onSessionChange(update);
}
