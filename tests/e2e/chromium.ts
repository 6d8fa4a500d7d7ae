// Debian's Chromium as every browser test launches it (never a downloaded browser), with the
// headless flags that work on this machine kind (DESIGN.md, toolchain facts).
export const chromiumLaunchOptions = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};
