/**
 * One `unyo start` per UNYO_HOME: an exclusive lock file taken before anything starts (web build,
 * embedded PostgreSQL, mail sink). Created with O_EXCL, so of two starts at the same moment exactly
 * one wins; the other is refused with one line. A lock left by a process that is gone is taken over.
 */
import fs from "node:fs";
import path from "node:path";
import { isAlive } from "../db/embedded.ts";
import { Refusal } from "./command.ts";

export interface HomeLock {
  release(): void;
}

export function lockHome(home: string): HomeLock {
  fs.mkdirSync(home, { recursive: true });
  const file = path.join(home, "unyo.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, "wx", 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      const release = () => {
        try {
          if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.rmSync(file, { force: true });
        } catch {}
      };
      process.once("exit", release);
      return {
        release() {
          process.removeListener("exit", release);
          release();
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let holder = Number.NaN;
      try {
        holder = Number(fs.readFileSync(file, "utf8").trim());
      } catch {}
      // Being written this very moment by the winner: its pid is not there yet.
      if (!Number.isInteger(holder) || holder <= 0 || isAlive(holder))
        throw new Refusal(
          `another Unyo${Number.isInteger(holder) && holder > 0 ? ` (pid ${holder})` : ""} is running on UNYO_HOME=${home}; stop it or use another UNYO_HOME`,
        );
      // Left by a process that is gone (killed): taken over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Refusal(`another Unyo is starting on UNYO_HOME=${home}; stop it or use another UNYO_HOME`);
}
