// Exit 0 when node_modules holds the package versions package-lock.json names (npm records
// what it installed in node_modules/.package-lock.json). Optional packages for other
// platforms are never installed, so they are only compared when present.
import { readFileSync } from 'node:fs';

function packages(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).packages;
  } catch {
    return null;
  }
}

const locked = packages('package-lock.json');
const installed = packages('node_modules/.package-lock.json');
const matches =
  locked !== null &&
  installed !== null &&
  Object.entries(locked).every(
    ([name, meta]) =>
      name === '' || installed[name]?.version === meta.version || (meta.optional && !installed[name]),
  ) &&
  Object.keys(installed).every((name) => locked[name]?.version === installed[name].version);
process.exit(matches ? 0 : 1);
