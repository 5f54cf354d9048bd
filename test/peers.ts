/**
 * Real monitoring peers for tests: Debian's Prometheus and blackbox_exporter, each started on a free
 * loopback port with its files in a temporary directory, and stopped (killed, waited for, directory
 * removed) by `stop()`. A missing binary is an error naming the Debian package to install: a test that
 * needs a peer fails without it, never skips. Each process's output is kept, and its tail goes into the
 * errors about it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";
export const BLACKBOX_BIN = "/usr/bin/prometheus-blackbox-exporter";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port free on 127.0.0.1 just now (the system picks it; another process may still take it first). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Calls `fn` every `intervalMs` until it returns something other than undefined, null or false, and
 * returns that; a throw counts as "not yet". After `ms` it throws, naming `what` (a function is called
 * then, to describe the state for diagnosis) and the last error.
 */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 30_000,
  what: string | (() => string | Promise<string>) = "a condition",
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const described = typeof what === "function" ? await Promise.resolve(what()).catch(String) : what;
      const last = lastError === undefined ? "" : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${ms} ms waiting for ${described}${last}`);
    }
    await sleep(intervalMs);
  }
}

/** Kept output per process: enough for the last startup lines and errors, bounded for long runs. */
const OUTPUT_KEPT = 64 * 1024;

const running = new Set<ChildProcess>();
// A test worker that ends without stopping its peers does not leave them behind.
process.once("exit", () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

export interface Peer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  dir: string;
  pid: number;
  /** The last output of the process (stderr and stdout, interleaved as it came). */
  output(): string;
  /** The last `chars` of the output, for an error message. */
  tail(chars?: number): string;
  stop(): Promise<void>;
}

async function requireBinary(bin: string, debianPackage: string) {
  try {
    await fs.access(bin, fs.constants.X_OK);
  } catch {
    throw new Error(
      `${bin} is missing: install Debian's ${debianPackage} package (apt-get install --no-install-recommends ${debianPackage})`,
    );
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function kill(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await gone;
  clearTimeout(timer);
}

/**
 * Starts `bin` with `args(port)` on a free port and waits until `readyPath` answers 200. A port taken
 * between choosing and binding is tried again with another one.
 */
async function startPeer(opts: {
  name: string;
  bin: string;
  debianPackage: string;
  dir: string;
  args: (port: number) => string[];
  readyPath: string;
  readyMs?: number;
}): Promise<Peer> {
  await requireBinary(opts.bin, opts.debianPackage);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(opts.bin, opts.args(port), { cwd: opts.dir, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let out = "";
    const keep = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.length > OUTPUT_KEPT * 2) out = out.slice(-OUTPUT_KEPT);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    let spawnError: Error | undefined;
    child.once("error", (err) => {
      spawnError = err;
    });
    const output = () => out.slice(-OUTPUT_KEPT);
    const tail = (chars = 3000) => out.slice(-chars);
    const url = `http://127.0.0.1:${port}`;
    const peer: Peer = {
      url,
      port,
      dir: opts.dir,
      pid: child.pid ?? -1,
      output,
      tail,
      async stop() {
        await kill(child);
        running.delete(child);
        await fs.rm(opts.dir, { recursive: true, force: true });
      },
    };
    const started = Date.now();
    const readyMs = opts.readyMs ?? 30_000;
    for (;;) {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) {
        running.delete(child);
        const why = spawnError ? String(spawnError) : `exit ${child.exitCode ?? child.signalCode}`;
        if (attempt < 3 && /address already in use/i.test(out)) break;
        await fs.rm(opts.dir, { recursive: true, force: true });
        throw new Error(
          `${opts.name} (${opts.bin}) stopped before it was ready (${why}); its output:\n${tail()}`,
        );
      }
      const ok = await fetch(`${url}${opts.readyPath}`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return peer;
      if (Date.now() - started > readyMs) {
        const last = tail();
        await peer.stop();
        throw new Error(
          `${opts.name} was not ready on ${url}${opts.readyPath} within ${readyMs} ms; its output:\n${last}`,
        );
      }
      await sleep(100);
    }
  }
}

/** The modules Unyo's discovery names (`__param_module`), as blackbox.yml declares them. */
export const BLACKBOX_MODULES: Record<string, unknown> = {
  http_2xx: { prober: "http", timeout: "5s" },
  tcp_connect: { prober: "tcp", timeout: "5s" },
  icmp: { prober: "icmp", timeout: "5s" },
  tls_connect: { prober: "tcp", timeout: "5s", tcp: { tls: true } },
};

/**
 * blackbox_exporter with the modules http_2xx, tcp_connect, icmp and tls_connect (`modules` adds to or
 * replaces them). Ready when `/-/healthy` answers.
 */
export async function startBlackbox(opts: { modules?: Record<string, unknown> } = {}): Promise<Peer> {
  await requireBinary(BLACKBOX_BIN, "prometheus-blackbox-exporter");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "unyo-blackbox-"));
  const config = path.join(dir, "blackbox.yml");
  // JSON is YAML: no YAML writer needed, and no quoting surprises.
  await fs.writeFile(config, JSON.stringify({ modules: { ...BLACKBOX_MODULES, ...opts.modules } }, null, 2));
  return startPeer({
    name: "blackbox_exporter",
    bin: BLACKBOX_BIN,
    debianPackage: "prometheus-blackbox-exporter",
    dir,
    args: (port) => [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`],
    readyPath: "/-/healthy",
  });
}

/**
 * Prometheus with `config` (an object, written as JSON, which is YAML; or the YAML text itself) and its
 * TSDB in the temporary directory. Ready when `/-/ready` answers 200.
 */
export async function startPrometheus(opts: { config: object | string }): Promise<Peer> {
  await requireBinary(PROMETHEUS_BIN, "prometheus");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "unyo-prometheus-"));
  const config = path.join(dir, "prometheus.yml");
  await fs.writeFile(
    config,
    typeof opts.config === "string" ? opts.config : JSON.stringify(opts.config, null, 2),
  );
  return startPeer({
    name: "Prometheus",
    bin: PROMETHEUS_BIN,
    debianPackage: "prometheus",
    dir,
    args: (port) => [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    readyPath: "/-/ready",
  });
}

export const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";
export const AMTOOL_BIN = "/usr/bin/amtool";

export interface AlertmanagerPeer extends Peer {
  /** `127.0.0.1:PORT` of its gossip listener (TCP and UDP), or null when it runs alone (no HA). */
  clusterAddress: string | null;
}

/**
 * Prometheus Alertmanager (Debian's prometheus-alertmanager) with one route and one receiver, `unyo`: a
 * webhook to `webhookUrl` with `Authorization: Bearer <token>` and `send_resolved`, grouped by alertname
 * (group_wait 1s, group_interval 2s, repeat_interval 1h). Ready when `/-/ready` answers 200.
 *
 * Clustering (HA): `clusterListen` null, or omitted without `clusterPeers`, disables it (a lone
 * instance: no gossip, notifications at once). Otherwise it gossips on `clusterListen` (omitted: a free
 * loopback port), joining `clusterPeers` (others' `clusterAddress`), with short gossip and push-pull
 * intervals so that a pair on loopback settles in a couple of seconds. `peerTimeout` is Alertmanager's
 * `--cluster.peer-timeout`, how long the peer at position n waits (×n) before it looks in the gossiped
 * notification log and notifies only what nobody has: its default, 15s, lets the first peer's log arrive
 * first; "0s" makes the peers notify at once, as when gossip is slow or partitioned.
 */
export async function startAlertmanager(opts: {
  webhookUrl: string;
  token: string;
  clusterPeers?: string[];
  clusterListen?: string | null;
  peerTimeout?: string;
}): Promise<AlertmanagerPeer> {
  await requireBinary(ALERTMANAGER_BIN, "prometheus-alertmanager");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "unyo-alertmanager-"));
  const config = path.join(dir, "alertmanager.yml");
  await fs.writeFile(
    config,
    JSON.stringify(
      {
        route: {
          receiver: "unyo",
          group_by: ["alertname"],
          group_wait: "1s",
          group_interval: "2s",
          repeat_interval: "1h",
        },
        receivers: [
          {
            name: "unyo",
            webhook_configs: [
              {
                url: opts.webhookUrl,
                send_resolved: true,
                http_config: { authorization: { type: "Bearer", credentials: opts.token } },
              },
            ],
          },
        ],
      },
      null,
      2,
    ),
  );
  const clustered = opts.clusterListen !== null && (opts.clusterListen !== undefined || !!opts.clusterPeers);
  const clusterAddress = clustered ? (opts.clusterListen ?? `127.0.0.1:${await freePort()}`) : null;
  const cluster = clusterAddress
    ? [
        `--cluster.listen-address=${clusterAddress}`,
        // On loopback there is no private address to find: advertise the one it listens on.
        `--cluster.advertise-address=${clusterAddress}`,
        ...(opts.clusterPeers ?? []).map((p) => `--cluster.peer=${p}`),
        "--cluster.gossip-interval=50ms",
        "--cluster.pushpull-interval=1s",
        "--cluster.probe-interval=200ms",
        "--cluster.reconnect-interval=1s",
        ...(opts.peerTimeout ? [`--cluster.peer-timeout=${opts.peerTimeout}`] : []),
      ]
    : ["--cluster.listen-address="];
  const peer = await startPeer({
    name: "Alertmanager",
    bin: ALERTMANAGER_BIN,
    debianPackage: "prometheus-alertmanager",
    dir,
    args: (port) => [
      `--config.file=${config}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...cluster,
    ],
    readyPath: "/-/ready",
  });
  return Object.assign(peer, { clusterAddress });
}
