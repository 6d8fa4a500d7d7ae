// The bench page's tables (kernels, whole models) as HTML: a header row and body rows of text
// cells, numbers right-aligned, a rule where a new case or model begins.

export function renderHeader(
  table: HTMLTableElement,
  header: readonly string[],
  isNumeric: (column: number) => boolean,
): void {
  const row = table.createTHead().insertRow();
  header.forEach((text, col) => {
    const th = document.createElement("th");
    th.textContent = text;
    if (isNumeric(col)) th.className = "num";
    row.append(th);
  });
}

/** Replaces the body's rows; `startsGroup(i)` marks row i as the first of a new case or model. */
export function renderBody(
  table: HTMLTableElement,
  rows: readonly (readonly string[])[],
  isNumeric: (column: number) => boolean,
  startsGroup: (row: number) => boolean,
): void {
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  rows.forEach((cells, i) => {
    const row = body.insertRow();
    if (startsGroup(i)) row.className = "case-start";
    cells.forEach((text, col) => {
      const cell = row.insertCell();
      cell.textContent = text;
      if (isNumeric(col)) cell.className = "num";
    });
  });
}
