/**
 * An API error in the reader's language, from its `code`, `article` and `details` (the error shape
 * of docs/ARCHITECTURE.md); the server's English message is the fallback for what has no words here
 * yet. Plain functions: called while rendering and in event handlers.
 */
import { articleLabel } from "../../src/core/articles.ts";
import { type ApiError, ApiFailure } from "./api.ts";
import { formatLang, type Lang, messages } from "./i18n.ts";

type Dict = Record<string, string>;

const dict = (lang: Lang) => messages[lang] as unknown as Dict;

/** The words for `key` with `{name}` filled in, or undefined when there are none. */
function say(lang: Lang, key: string, vars: Record<string, string | number> = {}): string | undefined {
  const text = dict(lang)[key];
  if (text === undefined) return undefined;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** A field of a request (`billingContact.email`, `servers.0.hostname`) as the reader knows it. */
function fieldName(lang: Lang, path: string): string {
  const parts = path.split(".").filter((p) => !/^\d+$/.test(p));
  for (let i = parts.length - 1; i >= 0; i--) {
    const name = say(lang, `field.${parts.slice(i).join(".")}`) ?? say(lang, `field.${parts[i]}`);
    if (name) return name;
  }
  return path;
}

interface ZodIssue {
  path?: string;
  message?: string;
  issue?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  origin?: string;
  values?: unknown[];
}

function zodProblem(lang: Lang, d: ZodIssue): string {
  const issue = d.issue ?? "";
  // A field with a format of its own (a registration number) says which.
  const own = d.path ? say(lang, `format.${d.path.split(".").pop()}`) : undefined;
  if (issue === "invalid_format" && own) return own;
  if (issue === "invalid_format" && d.format)
    return (
      say(lang, `problem.format.${d.format}`) ?? say(lang, "problem.invalid_format") ?? d.message ?? issue
    );
  if (issue === "too_small" || issue === "too_big") {
    const unit = d.origin === "string" ? "string" : d.origin === "array" ? "array" : "number";
    const text = say(lang, `problem.${issue}.${unit}`, {
      n: (issue === "too_small" ? d.minimum : d.maximum) ?? "",
    });
    if (text) return text;
  }
  if (issue === "invalid_value" && Array.isArray(d.values))
    return say(lang, "problem.invalid_value", { values: d.values.join(", ") }) ?? d.message ?? issue;
  return say(lang, `problem.${issue}`) ?? d.message ?? issue;
}

/** Each field's problems in the reader's words: zod's list, or a rule's `{ field: [problem, …] }`. */
function validationLines(lang: Lang, details: unknown): string[] {
  if (Array.isArray(details))
    return (details as ZodIssue[]).map((d) =>
      d.path ? `${fieldName(lang, d.path)}: ${zodProblem(lang, d)}` : zodProblem(lang, d),
    );
  if (details && typeof details === "object") {
    const lines: string[] = [];
    // A detail that is a plain value (the character refused) fills the problem's words.
    const vars = Object.fromEntries(
      Object.entries(details as Record<string, unknown>).filter(
        ([, v]) => typeof v === "string" || typeof v === "number",
      ),
    ) as Record<string, string | number>;
    for (const [field, problems] of Object.entries(details as Record<string, unknown>)) {
      if (!Array.isArray(problems) || !problems.every((p) => typeof p === "string")) continue;
      const words = (problems as string[])
        .map((p) => say(lang, `problem.${p}`, vars))
        .filter((w) => w !== undefined);
      if (words.length === problems.length)
        lines.push(`${fieldName(lang, field)}: ${words.join(lang === "ja" ? "。" : "; ")}`);
    }
    return lines;
  }
  return [];
}

export function apiErrorText(e: ApiError, lang: Lang = formatLang.current): string {
  const article = e.article
    ? lang === "ja"
      ? `(${articleLabel(e.article, lang)})`
      : ` (${articleLabel(e.article, lang)})`
    : "";
  const details = (e.details ?? {}) as Record<string, unknown>;
  let lead: string | undefined;
  // A refusal with a named reason (the company's last administrator, one's own account) says it.
  if (typeof details.reason === "string") {
    // The facts it names (an invoice's number, amounts, dates) fill the words.
    const facts = Object.fromEntries(
      Object.entries(details).filter(([, v]) => typeof v === "string" || typeof v === "number"),
    ) as Record<string, string | number>;
    const words = say(lang, `problem.${details.reason}`, facts);
    if (words) return `${words}${article}`;
  }
  // A conflict naming its problems per field (the consent to a version no longer in force) lists them.
  if (e.code === "conflict") {
    const lines = validationLines(lang, e.details);
    const conflict = say(lang, "error.conflict");
    if (conflict && lines.length > 0)
      return `${conflict}${article} ${lines.join(lang === "ja" ? " / " : "; ")}`;
  }
  switch (e.code) {
    case "validation_failed": {
      const lines = validationLines(lang, e.details);
      lead = say(lang, "error.validation_failed");
      // Every problem has words here: the server's message adds nothing.
      if (lead && lines.length > 0) return `${lead}${article} ${lines.join(lang === "ja" ? " / " : "; ")}`;
      break;
    }
    case "forbidden":
      if (Array.isArray(details.roles)) {
        const roles = (details.roles as string[]).map((r) => say(lang, `role.${r}`) ?? r);
        return (
          say(lang, "error.forbiddenRoles", { roles: roles.join(lang === "ja" ? "、" : ", ") }) ?? e.message
        );
      }
      break;
    case "locked":
      if (typeof details.lockedUntil === "string") {
        const until = new Date(details.lockedUntil).toLocaleTimeString(lang === "ja" ? "ja-JP" : "en-GB", {
          timeZone: "Asia/Tokyo",
          hour: "2-digit",
          minute: "2-digit",
        });
        return say(lang, "error.lockedUntil", { time: until }) ?? e.message;
      }
      break;
    case "too_many_requests":
      if (typeof details.retryAfterSeconds === "number")
        return (
          say(lang, "error.tooManyRetry", {
            minutes: Math.max(1, Math.ceil(details.retryAfterSeconds / 60)),
          }) ?? e.message
        );
      break;
  }
  lead ??= say(lang, `error.${e.code}`);
  if (!lead) return `${e.message}${article}`;
  // A conflict or a refused request names its own case; until that case has words here, the
  // server's sentence follows the code's (in English, marked as the detail).
  if (e.code === "conflict" || e.code === "bad_request" || e.code === "validation_failed")
    return lang === "en"
      ? `${e.message}${article}`
      : `${lead}${article} ${say(lang, "error.detail", { message: e.message })}`;
  return `${lead}${article}`;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiFailure) return apiErrorText(err.error);
  if (err instanceof TypeError) return say(formatLang.current, "error.network") ?? err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
