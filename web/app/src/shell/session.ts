// The session every view shares: the model, the plan and the calibration. It lives in the
// page's URL query (?model=…&plan=…), so a link restores the configuration and the nav
// carries it from view to view.
import type { CalibrationOptions, PlanPreset, PlanSpec } from "quantlab";

export type CalibrationMethod = CalibrationOptions["method"];

export interface Session {
  /** A shipped model's name. */
  model: string;
  /** The plan in focus: a preset name or a plan object (Layers builds those). */
  plan: PlanSpec;
  calib: CalibrationMethod;
  calibSize: number;
}

export const PRESETS: readonly PlanPreset[] = [
  "int8",
  "int8-dynamic",
  "int4-g32",
  "int4-tensor",
  "w4a8",
];
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = [
  "minmax",
  "moving_average_minmax",
  "percentile",
  "mse",
  "entropy",
];
export const DEFAULT_SESSION: Session = {
  model: "fashion-cnn",
  plan: "int8",
  calib: "minmax",
  calibSize: 512,
};

const SESSION_EVENT = "quantlab:session";

function parsePlan(text: string | null): PlanSpec {
  if (text === null || text === "") return DEFAULT_SESSION.plan;
  if ((PRESETS as readonly string[]).includes(text)) return text as PlanPreset;
  try {
    const plan = JSON.parse(text) as unknown;
    if (typeof plan === "object" && plan !== null && !Array.isArray(plan))
      return plan as PlanSpec;
  } catch {
    // an unreadable plan falls back to the default
  }
  return DEFAULT_SESSION.plan;
}

export function readSession(search = location.search): Session {
  const q = new URLSearchParams(search);
  const calib = q.get("calib") as CalibrationMethod | null;
  const calibSize = Number(q.get("calibSize"));
  return {
    model: q.get("model") || DEFAULT_SESSION.model,
    plan: parsePlan(q.get("plan")),
    calib:
      calib !== null && CALIBRATION_METHODS.includes(calib)
        ? calib
        : DEFAULT_SESSION.calib,
    calibSize:
      Number.isInteger(calibSize) && calibSize >= 1 && calibSize <= 1024
        ? calibSize
        : DEFAULT_SESSION.calibSize,
  };
}

/** The session as a query string ("" when everything is the default). */
export function sessionQuery(session: Session): string {
  const q = new URLSearchParams();
  if (session.model !== DEFAULT_SESSION.model) q.set("model", session.model);
  if (session.plan !== DEFAULT_SESSION.plan)
    q.set(
      "plan",
      typeof session.plan === "string"
        ? session.plan
        : JSON.stringify(session.plan),
    );
  if (session.calib !== DEFAULT_SESSION.calib) q.set("calib", session.calib);
  if (session.calibSize !== DEFAULT_SESSION.calibSize)
    q.set("calibSize", String(session.calibSize));
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}

/** Changes the session: the URL (replaced, not a new history entry) and the nav follow. */
export function updateSession(change: Partial<Session>): Session {
  const session = { ...readSession(), ...change };
  const extra = new URLSearchParams(location.search);
  for (const key of ["model", "plan", "calib", "calibSize"]) extra.delete(key);
  const own = sessionQuery(session);
  const rest = extra.toString();
  const query = own + (rest === "" ? "" : (own === "" ? "?" : "&") + rest);
  history.replaceState(
    null,
    "",
    `${location.pathname}${query}${location.hash}`,
  );
  dispatchEvent(new CustomEvent(SESSION_EVENT));
  return session;
}

export function onSessionChange(listener: () => void): void {
  addEventListener(SESSION_EVENT, listener);
}

/** A plan's short name: the preset's, or the plan object's name. */
export function planName(plan: PlanSpec): string {
  return typeof plan === "string" ? plan : (plan.name ?? "custom plan");
}
