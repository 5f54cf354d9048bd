import type { Job } from "../jobs/worker.ts";

/** Housekeeping: forget ended or expired sessions after a week, and stale log-in throttle windows. */
export const sessionHousekeeping: Job = {
  name: "identity.session-housekeeping",
  everySeconds: 3600,
  async run(db, now) {
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    const sessions = await db
      .deleteFrom("sessions")
      .where((eb) => eb.or([eb("ended_at", "<", weekAgo), eb("expires_at", "<", weekAgo)]))
      .executeTakeFirst();
    const throttle = await db
      .deleteFrom("login_throttle")
      .where("window_start", "<", weekAgo)
      .executeTakeFirst();
    return {
      sessionsDeleted: Number(sessions.numDeletedRows),
      throttleDeleted: Number(throttle.numDeletedRows),
    };
  },
};

export const identityJobs: Job[] = [sessionHousekeeping];
