// Every view at laptop (1280 px) and phone (390 px) width, with results on screen: no
// horizontal page scroll at phone width, no serious or critical axe-core findings, and a
// full-page screenshot of each into tests/e2e/screenshots/ (looked at by a person).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { VIEWS as VIEWS_IN_NAV } from "../../web/app/src/shell/nav";
import { jsonFile, twoMeasuredReports } from "./history-helpers";
import { open, runCompare, SCREENSHOTS, settled } from "./lab-helpers";

const VIEWS: {
  name: string;
  path: string;
  prepare(page: Page): Promise<void>;
}[] = [
  {
    name: "compare",
    path: "/index.html?model=mnist-cnn",
    async prepare(page) {
      await settled(page);
      await runCompare(page, "1", 120_000);
      await page.locator("#flip-plan").selectOption({ index: 3 });
      await page.getByRole("button", { name: "Show the flips" }).click();
      await expect(page.locator("#flips li").first()).toBeVisible({
        timeout: 60_000,
      });
      await settled(page);
    },
  },
  {
    name: "try",
    path: "/try.html?model=fashion-cnn",
    async prepare(page) {
      await settled(page);
      await page.getByRole("button", { name: "Random test image" }).click();
      await expect(page.locator("#probs tbody tr")).toHaveCount(11, {
        timeout: 90_000,
      });
      await settled(page);
    },
  },
  {
    name: "layers",
    path: "/layers.html?model=fashion-cnn",
    async prepare(page) {
      await expect(page.locator("#size")).not.toHaveText("—", {
        timeout: 120_000,
      });
      await settled(page);
    },
  },
  {
    name: "calibration",
    path: "/calibration.html?model=mnist-cnn",
    async prepare(page) {
      await settled(page);
      await page.getByRole("button", { name: "Compare the observers" }).click();
      await expect(page.locator("#ranges tbody tr")).toHaveCount(5, {
        timeout: 120_000,
      });
      await settled(page);
    },
  },
  {
    name: "mixed",
    path: "/mixed.html?model=mnist-mlp",
    async prepare(page) {
      await settled(page);
      await page.getByRole("button", { name: "Measure and search" }).click();
      await expect(page.locator("#front tbody tr").first()).toBeVisible({
        timeout: 180_000,
      });
      await expect(page.locator("#sensitivity tbody tr")).toHaveCount(9);
      await settled(page);
    },
  },
  {
    name: "qat",
    path: "/qat.html?model=mnist-mlp",
    async prepare(page) {
      await settled(page);
      await page.locator("#examples").selectOption("640");
      await page.getByRole("button", { name: "Fine-tune and compare" }).click();
      await expect(page.locator("#result tbody tr")).toHaveCount(3, {
        timeout: 180_000,
      });
      await settled(page);
    },
  },
  {
    name: "tensor",
    path: "/tensor.html?model=fashion-cnn&layer=conv2",
    async prepare(page) {
      await expect(page.locator("body")).toHaveAttribute("data-state", "ready");
    },
  },
  {
    name: "generate",
    path: "/generate.html",
    async prepare(page) {
      await settled(page);
      await page.locator("#tokens").fill("12");
      await page.getByRole("button", { name: "Generate" }).click();
      await expect(page.locator("[data-testid=kl-text] span")).toHaveCount(12, {
        timeout: 180_000,
      });
      await settled(page);
    },
  },
  {
    name: "kernels",
    path: "/bench.html",
    async prepare(page) {
      await expect(page.locator("header.topbar nav a")).toHaveCount(
        VIEWS_IN_NAV.length,
      );
    },
  },
  {
    name: "history",
    path: "/history.html?model=mnist-mlp",
    async prepare(page) {
      await settled(page);
      const [first, second] = await twoMeasuredReports();
      await page
        .locator("#import")
        .setInputFiles([
          jsonFile("minmax.json", first),
          jsonFile("percentile.json", second),
        ]);
      await expect(page.locator("#reports tbody tr")).toHaveCount(2);
      await page.getByRole("button", { name: "Diff", exact: true }).click();
      await expect(page.locator("#diff tbody tr")).toHaveCount(4);
      await settled(page);
    },
  },
];

for (const width of [1280, 390]) {
  for (const view of VIEWS) {
    test(`${view.name} at ${width} px: fits, passes axe, screenshot`, async ({
      page,
    }) => {
      test.setTimeout(240_000);
      await page.setViewportSize({ width, height: width > 500 ? 900 : 844 });
      const problems = await open(page, view.path);
      await view.prepare(page);
      // Whatever the view ran finished without an error.
      await expect(page.locator(".status.failed")).toHaveCount(0);
      await expect(page.locator("body")).toHaveAttribute("data-state", "ready");
      // The shared head and table regions the build writes into every view (vite.config.ts).
      await expect(page.locator('head link[rel="icon"]')).toHaveCount(1);
      await expect(page.locator('head meta[name="viewport"]')).toHaveCount(1);
      await expect(page.locator("scroll-table, docs-link")).toHaveCount(0);
      for (const region of await page.locator(".table-scroll").all()) {
        await expect(region).toHaveAttribute("role", "region");
        await expect(region).toHaveAttribute("tabindex", "0");
        await expect(region).toHaveAttribute("aria-label", /scrolls sideways/);
      }
      const scrollWidth = await page.evaluate(
        () => document.documentElement.scrollWidth,
      );
      expect(scrollWidth, "no horizontal page scroll").toBeLessThanOrEqual(
        width,
      );
      // Every nav link is on screen and big enough to tap.
      for (const link of await page.locator("header.topbar nav a").all()) {
        const box = (await link.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(width);
        expect(box.height).toBeGreaterThanOrEqual(32);
      }
      const { violations } = await new AxeBuilder({ page }).analyze();
      const serious = violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map(
          (v) =>
            `${v.id}: ${v.help} (${v.nodes
              .map((n) => n.target.join(" "))
              .slice(0, 3)
              .join("; ")})`,
        );
      expect(serious).toEqual([]);
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({
        path: `${SCREENSHOTS}/${view.name}-${width}.png`,
        fullPage: true,
      });
      expect(problems).toEqual([]);
    });
  }
}
