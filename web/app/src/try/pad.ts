// The drawing pad (Pointer Events: mouse, touch and pen alike) and the conversion of a drawing
// or a picture into a 28×28 grey image as the models were trained on.

export function setUpPad(pad: HTMLCanvasElement, done: () => void): void {
  const context = pad.getContext("2d")!;
  let last: { x: number; y: number } | undefined;
  const at = (event: PointerEvent) => {
    const box = pad.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * pad.width) / box.width,
      y: ((event.clientY - box.top) * pad.height) / box.height,
    };
  };
  pad.addEventListener("pointerdown", (event) => {
    pad.setPointerCapture(event.pointerId);
    last = at(event);
    stroke(last, last, event.pressure);
  });
  pad.addEventListener("pointermove", (event) => {
    if (last === undefined) return;
    const next = at(event);
    stroke(last, next, event.pressure);
    last = next;
  });
  const end = () => {
    if (last === undefined) return;
    last = undefined;
    done();
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  function stroke(
    from: { x: number; y: number },
    to: { x: number; y: number },
    pressure: number,
  ) {
    context.strokeStyle = "#fff";
    context.lineCap = "round";
    context.lineJoin = "round";
    // A pen's pressure thickens the line a little; a mouse reports 0.5 while pressed.
    context.lineWidth = 22 + 10 * Math.max(0, (pressure || 0.5) - 0.5);
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  }
}

/** Grey levels of a canvas (the red channel of a white-on-black drawing). */
function grey(
  canvas: HTMLCanvasElement | OffscreenCanvas,
  width: number,
  height: number,
): Uint8Array {
  const context = canvas.getContext("2d") as CanvasRenderingContext2D;
  const { data } = context.getImageData(0, 0, width, height);
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(
      0.299 * data[4 * i]! +
        0.587 * data[4 * i + 1]! +
        0.114 * data[4 * i + 2]!,
    );
  return out;
}

/** MNIST's preprocessing: the drawing's bounding box scaled into 20×20, centred by mass in 28×28. */
export function drawnDigit(pad: HTMLCanvasElement, size: number): Uint8Array {
  const pixels = grey(pad, pad.width, pad.height);
  let [x0, y0, x1, y1] = [pad.width, pad.height, -1, -1];
  for (let y = 0; y < pad.height; y++)
    for (let x = 0; x < pad.width; x++)
      if (pixels[y * pad.width + x]! > 30)
        [x0, y0, x1, y1] = [
          Math.min(x0, x),
          Math.min(y0, y),
          Math.max(x1, x),
          Math.max(y1, y),
        ];
  const out = document.createElement("canvas");
  out.width = out.height = size;
  const context = out.getContext("2d", { willReadFrequently: true })!;
  context.fillStyle = "#000";
  context.fillRect(0, 0, size, size);
  if (x1 < 0) return grey(out, size, size);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = (0.71 * size) / Math.max(w, h);
  context.imageSmoothingQuality = "high";
  context.drawImage(
    pad,
    x0,
    y0,
    w,
    h,
    (size - w * scale) / 2,
    (size - h * scale) / 2,
    w * scale,
    h * scale,
  );
  const small = grey(out, size, size);
  // Shift so the centre of mass sits in the middle, as MNIST's digits do.
  let [mass, mx, my] = [0, 0, 0];
  small.forEach(
    (v, i) => (
      (mass += v),
      (mx += v * (i % size)),
      (my += v * Math.floor(i / size))
    ),
  );
  const clampShift = (d: number) => Math.max(-3, Math.min(3, Math.round(d)));
  const dx = clampShift(size / 2 - 0.5 - mx / mass);
  const dy = clampShift(size / 2 - 0.5 - my / mass);
  const shifted = new Uint8Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sy >= 0 && sx < size && sy < size)
        shifted[y * size + x] = small[sy * size + sx]!;
    }
  return shifted;
}

/** A picture as a size×size grey image, light backgrounds inverted (the datasets are light on dark). */
export async function pictureToImage(
  file: Blob,
  size: number,
): Promise<{ pixels: Uint8Array; inverted: boolean }> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  const scale = size / Math.max(bitmap.width, bitmap.height);
  const [w, h] = [bitmap.width * scale, bitmap.height * scale];
  context.drawImage(bitmap, (size - w) / 2, (size - h) / 2, w, h);
  const pixels = grey(canvas, size, size);
  let border = 0;
  for (let i = 0; i < size; i++)
    border +=
      pixels[i]! +
      pixels[(size - 1) * size + i]! +
      pixels[i * size]! +
      pixels[i * size + size - 1]!;
  const inverted = border / (4 * size) > 128;
  if (inverted)
    for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i]!;
  return { pixels, inverted };
}
