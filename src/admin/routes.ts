import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import { actorOf } from "../identity/actor.ts";
import { advanceClock, clockView, moveClock } from "./clock.ts";
import { advanceClockBody, clockMoved, clockSchema, setClockBody } from "./schemas.ts";

const admin = { who: "staff", roles: ["admin"] } as const;

export function adminRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/clock",
      summary:
        "The instance's time and business date, and whether a test clock is on (the UI shows a banner)",
      policy: "public",
      response: clockSchema,
      handler: async () => clockView(ctx, ctx.config),
    }),
    route({
      method: "GET",
      url: "/admin/clock",
      summary: "The test clock",
      policy: admin,
      response: clockSchema,
      handler: async () => clockView(ctx, ctx.config),
    }),
    route({
      method: "PUT",
      url: "/admin/clock",
      summary:
        "Set the test clock (UNYO_TEST_CLOCK=1 instances only; forward only); the business-calendar jobs falling due are queued",
      policy: admin,
      body: setClockBody,
      response: clockMoved,
      handler: ({ auth, body }) =>
        moveClock(ctx, ctx.config, actorOf(auth), { at: new Date(body.at), frozen: body.frozen }),
    }),
    route({
      method: "POST",
      url: "/admin/clock/advance",
      summary:
        "Advance the test clock by days, hours or minutes; the business-calendar jobs falling due are queued",
      policy: admin,
      body: advanceClockBody,
      response: clockMoved,
      handler: ({ auth, body }) => advanceClock(ctx, ctx.config, actorOf(auth), body),
    }),
  ];
}
