/** The monitoring room's requests and answers (zod); types are inferred from these. */
import { z } from "zod";
import { PROVIDERS } from "../contracts/schemas.ts";
import { basisList, instant } from "../core/schemas.ts";
import { CHECK_KINDS, DNS_RECORD_TYPES } from "./checks/types.ts";
import { CHECK_STATES, CREDENTIAL_KINDS, ITEM_KINDS, PAUSE_REASONS, REVEAL_STATUSES } from "./rules.ts";

/** Operating systems as structured fields (end-of-support flags, Art. 8(2), read them). */
export const OS_FAMILIES = [
  "rhel",
  "almalinux",
  "rocky",
  "centos",
  "ubuntu",
  "debian",
  "amazon_linux",
  "suse",
  "windows_server",
  "other",
] as const;

const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/, "a host name: letters, digits, '.', '-', '_'");
const address = z.union([z.ipv4(), z.ipv6()]);
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

export const itemBody = z.strictObject({
  kind: z.enum(ITEM_KINDS).default("server"),
  name: hostname,
  provider: z.enum(PROVIDERS),
  account: optionalText(100),
  region: optionalText(50),
  addresses: z.array(address).max(20).default([]),
  osFamily: z.enum(OS_FAMILIES).optional(),
  osVersion: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,29}$/, "a version: 9.4, 22.04, 2022")
    .optional(),
  role: optionalText(100),
  /** The contract's options that cover this item (the plan covers every item). */
  options: z.array(z.string().min(1).max(40)).max(10).default([]),
  notes: z.string().trim().max(2000).optional(),
});
export type ItemInput = z.output<typeof itemBody>;
/** A change of an item: a field given null is cleared. */
export const itemPatch = itemBody.partial().omit({ name: true, kind: true }).extend({
  account: itemBody.shape.account.unwrap().nullable().optional(),
  region: itemBody.shape.region.unwrap().nullable().optional(),
  osFamily: itemBody.shape.osFamily.unwrap().nullable().optional(),
  osVersion: itemBody.shape.osVersion.unwrap().nullable().optional(),
  role: itemBody.shape.role.unwrap().nullable().optional(),
  notes: itemBody.shape.notes.unwrap().nullable().optional(),
});
export type ItemPatch = z.output<typeof itemPatch>;

export const itemSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  customerName: z.string(),
  contractId: z.uuid(),
  contractNumber: z.string(),
  kind: z.enum(ITEM_KINDS),
  name: z.string(),
  provider: z.enum(PROVIDERS),
  account: z.string().nullable(),
  region: z.string().nullable(),
  addresses: z.array(z.string()),
  osFamily: z.string().nullable(),
  osVersion: z.string().nullable(),
  role: z.string().nullable(),
  plan: z.string(),
  options: z.array(z.string()),
  notes: z.string().nullable(),
  /** A server still listed on the contract (Art. 4); false once a change or partial termination removed it. */
  onContract: z.boolean(),
  /** The worst state of its checks (none: null). */
  state: z.enum(CHECK_STATES).nullable(),
  checks: z.number().int(),
  credentials: z.number().int(),
  createdAt: instant,
});
export type ItemView = z.infer<typeof itemSchema>;

export const contractInventorySchema = z.object({
  /** Its servers and cloud resources in service (a whole list, not a page). */
  registered: z.array(itemSchema),
  /** Servers the contract lists that are not registered yet. */
  unregistered: z.array(z.string()),
});

export const importResultSchema = z.object({ created: z.number().int(), updated: z.number().int() });

// ---- checks ----

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "an HTTP header name");
export const httpSettings = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  method: z.enum(["GET", "HEAD", "POST", "PUT"]).default("GET"),
  headers: z.record(headerName, z.string().max(4000)).optional(),
  body: z.string().max(65536).optional(),
  expectStatus: z.array(z.number().int().min(100).max(599)).min(1).max(20).optional(),
  keyword: z.string().min(1).max(500).optional(),
  keywordAbsent: z.boolean().optional(),
  jsonPath: z
    .string()
    .regex(/^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\['[^']+'\])*$/, "a JSON path: $.status, $.items[0].state")
    .max(300)
    .optional(),
  jsonEquals: z.string().max(500).optional(),
  maxLatencyMs: z.number().int().min(1).max(60000).optional(),
  verifyTls: z.boolean().default(true),
});
const host = z.union([z.ipv4(), z.ipv6(), hostname]);
export const tcpSettings = z.strictObject({ host, port: z.number().int().min(1).max(65535) });
export const icmpSettings = z.strictObject({ host });
export const tlsSettings = z.strictObject({
  host,
  port: z.number().int().min(1).max(65535).default(443),
  serverName: hostname.optional(),
  minDaysLeft: z.number().int().min(0).max(365).default(14),
});
export const dnsSettings = z.strictObject({
  name: hostname,
  recordType: z.enum(DNS_RECORD_TYPES),
  expected: z.array(z.string().trim().min(1).max(500)).min(1).max(20),
  server: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, "host or host:port")
    .optional(),
});
/** A push check: silence for `graceS` seconds past its interval is a failure. */
export const heartbeatSettings = z.strictObject({ graceS: z.number().int().min(0).max(86400).default(60) });

const checkCommon = {
  name: z.string().trim().min(1).max(100),
  itemId: z.uuid(),
  intervalS: z.number().int().min(10).max(86400).default(60),
  timeoutMs: z.number().int().min(100).max(60000).default(10000),
  retries: z.number().int().min(0).max(5).default(0),
  downAfter: z.number().int().min(1).max(10).default(1),
};
export const checkBody = z.discriminatedUnion("kind", [
  z.strictObject({ ...checkCommon, kind: z.literal("http"), settings: httpSettings }),
  z.strictObject({ ...checkCommon, kind: z.literal("tcp"), settings: tcpSettings }),
  z.strictObject({ ...checkCommon, kind: z.literal("icmp"), settings: icmpSettings }),
  z.strictObject({ ...checkCommon, kind: z.literal("tls"), settings: tlsSettings }),
  z.strictObject({ ...checkCommon, kind: z.literal("dns"), settings: dnsSettings }),
  z.strictObject({ ...checkCommon, kind: z.literal("heartbeat"), settings: heartbeatSettings }),
]);
export type CheckInput = z.output<typeof checkBody>;

export const checkPatch = z.strictObject({
  name: checkCommon.name.optional(),
  intervalS: z.number().int().min(10).max(86400).optional(),
  timeoutMs: z.number().int().min(100).max(60000).optional(),
  retries: z.number().int().min(0).max(5).optional(),
  downAfter: z.number().int().min(1).max(10).optional(),
});

export const pauseBody = z.strictObject({
  reason: z.enum(PAUSE_REASONS),
  note: z.string().trim().max(500).optional(),
});

export const checkSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  contractId: z.uuid(),
  itemId: z.uuid(),
  itemName: z.string(),
  name: z.string(),
  kind: z.enum(CHECK_KINDS),
  /** What it checks, in one line (the URL, host:port, the DNS name…); never a header or body. */
  target: z.string(),
  intervalS: z.number().int(),
  timeoutMs: z.number().int(),
  retries: z.number().int(),
  downAfter: z.number().int(),
  state: z.enum(CHECK_STATES),
  since: instant.nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  paused: z.object({ reason: z.string(), article: z.string().nullable(), at: instant.nullable() }).nullable(),
  lastPingAt: instant.nullable(),
});
export type CheckView = z.infer<typeof checkSchema>;

export const checkDetailSchema = checkSchema.extend({
  /** The settings as given (staff only; headers' values are not shown). */
  settings: z.record(z.string(), z.unknown()).nullable(),
  events: z.array(
    z.object({
      at: instant,
      from: z.string(),
      to: z.string(),
      code: z.string().nullable(),
      message: z.string().nullable(),
      article: z.string().nullable(),
    }),
  ),
});

export const checkCreatedSchema = checkSchema.extend({
  /** A push check's secret URL path: shown once, at creation (and when renewed). */
  heartbeatUrl: z.string().nullable(),
});

export const seriesPoint = z.object({
  bucket: instant,
  upMs: z.number(),
  downMs: z.number(),
  mutedMs: z.number(),
  runs: z.number().int(),
  uptime: z.number().nullable(),
  latencyAvgMs: z.number().nullable(),
  latencyMaxMs: z.number().nullable(),
});
export const historySchema = z.object({
  grain: z.enum(["m", "h", "d"]),
  from: instant,
  to: instant,
  points: z.array(seriesPoint),
  uptime: z.number().nullable(),
  basis: basisList,
});

export const statusPageSchema = z.object({
  customerName: z.string(),
  asOf: instant,
  /** Worst current state over the services. */
  overall: z.enum(CHECK_STATES).nullable(),
  services: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      itemName: z.string(),
      state: z.enum(CHECK_STATES),
      since: instant.nullable(),
      uptime90: z.number().nullable(),
      days: z.array(z.object({ day: z.string(), uptime: z.number().nullable() })),
    }),
  ),
});

// ---- custody ----
export const credentialBody = z.strictObject({
  kind: z.enum(CREDENTIAL_KINDS),
  label: z.string().trim().min(1).max(100),
  username: z.string().trim().min(1).max(100).optional(),
  secret: z.string().min(1).max(16384),
});
export const credentialSchema = z.object({
  id: z.uuid(),
  itemId: z.uuid(),
  kind: z.enum(CREDENTIAL_KINDS),
  label: z.string(),
  username: z.string().nullable(),
  createdAt: instant,
  keyId: z.string().nullable(),
});
export const revealRequestBody = z.strictObject({
  reason: z.string().trim().min(5).max(500),
});
export const revealSchema = z.object({
  id: z.uuid(),
  credentialId: z.uuid(),
  credentialLabel: z.string(),
  itemName: z.string(),
  requestedBy: z.string(),
  /** Who asked (to tell one's own requests apart: collect them, never approve them). */
  requestedById: z.uuid(),
  reason: z.string(),
  requestedAt: instant,
  status: z.enum(REVEAL_STATUSES),
  decidedBy: z.string().nullable(),
  decidedAt: instant.nullable(),
  revealedAt: instant.nullable(),
});
/** A reveal: the secret once it may be shown (none while a second approval is awaited). */
export const revealedSchema = z.object({ reveal: revealSchema, secret: z.string().nullable() });
export const custodySettingsBody = z.strictObject({ revealNeedsApproval: z.boolean() });
