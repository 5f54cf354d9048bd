/**
 * What reached the provider and when, as pure functions: the business day a request counts from (its
 * receipt, 受理 — Art. 11, 15, 20, 25, 26) and the consent a web application carries (Art. 15,
 * 35(11)). No clock, no I/O: callers pass every date in.
 */
import { cite, type Explained } from "../core/citations.ts";
import { compareDates, type IsoDate } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";

// ---- receipt dates (受理, the arrival of a notice) -------------------------------------------------

/**
 * How a request reached the provider: `portal` and `web` are received the moment they are submitted;
 * `paper` and `email` are entered by staff with the day they arrived.
 */
export const RECEIPT_CHANNELS = ["portal", "web", "paper", "email"] as const;
export type ReceiptChannel = (typeof RECEIPT_CHANNELS)[number];

/** Each receipt channel in the Japanese texts. */
const RECEIPT_CHANNEL_JA: Record<ReceiptChannel, string> = {
  portal: "ポータル",
  web: "WEBサイト",
  paper: "書面",
  email: "電子メール",
};

/**
 * The business day a request counts from (its receipt, 受理): today for what comes through the portal
 * or the web site; the day staff enter for a paper or e-mail request — never in the future (the system
 * never assumes a receipt that has not happened) and never before `notBefore` (e.g. the contract's start).
 */
export function receiptDate(input: {
  channel: ReceiptChannel;
  /** The day staff enter; refused for the portal and the web. */
  entered?: IsoDate;
  today: IsoDate;
  notBefore?: IsoDate;
  /** The article the request falls under (26(2) cancellation, 11 option, 15 application, …). */
  article: string;
  /** What was received, for the messages ("the cancellation", "the option's cancellation notice"). */
  what: string;
  /** `what` in Japanese, for the Japanese text ("利用契約の解除の申出"). */
  whatJa: string;
}): Explained<{ receivedOn: IsoDate; channel: ReceiptChannel }> {
  const online = input.channel === "portal" || input.channel === "web";
  if (online && input.entered !== undefined && input.entered !== input.today)
    throw new AppError(
      "validation_failed",
      `${input.what} submitted through the ${input.channel} is received the day it is submitted (${input.today}); only staff enter the date of a paper request`,
      { article: input.article, details: { receivedOn: ["set_by_channel"] } },
    );
  const receivedOn = online ? input.today : (input.entered ?? input.today);
  const whatJa = input.whatJa;
  if (compareDates(receivedOn, input.today) > 0)
    throw new AppError(
      "validation_failed",
      `${input.what} cannot have been received on ${receivedOn}, after today (${input.today}): enter the day it arrived`,
      { article: input.article, details: { receivedOn: ["future"] } },
    );
  if (input.notBefore && compareDates(receivedOn, input.notBefore) < 0)
    throw new AppError(
      "validation_failed",
      `${input.what} cannot have been received on ${receivedOn}, before ${input.notBefore}`,
      { article: input.article, details: { receivedOn: ["too_early"] } },
    );
  return {
    result: { receivedOn, channel: input.channel },
    basis: [
      cite(
        input.article,
        online
          ? `${input.what} came through the ${input.channel} and was received when submitted, on ${receivedOn}.`
          : `${input.what} arrived by ${input.channel} on ${receivedOn}, as entered by the provider's staff.`,
        online
          ? `${whatJa}は${RECEIPT_CHANNEL_JA[input.channel]}から提出され、提出時の${receivedOn}に受理しました。`
          : `${whatJa}は${receivedOn}に${RECEIPT_CHANNEL_JA[input.channel]}で到着しました(当社担当者による入力)。`,
      ),
    ],
  };
}

// ---- consent on a web application (Art. 15, 35(11)) ------------------------------------------------

/**
 * The applicant consented to the terms version in force on the day of receipt and to the current
 * privacy notice (Art. 15: the application is made on these terms). A version that came into force
 * while the form was open, an announced one not yet in force, or an older privacy notice is refused,
 * naming the one to read.
 */
export function checkConsent(
  consent: { termsVersionId: string | null; privacyNotice: string },
  inForce: { id: string; number: string; effectiveOn: IsoDate } | null,
  privacyNotice: string,
): void {
  if ((inForce?.id ?? null) !== consent.termsVersionId)
    throw new AppError(
      "conflict",
      inForce
        ? `the terms in force are version ${inForce.number} (effective ${inForce.effectiveOn}): read them and consent to that version`
        : "no terms version is in force yet: consent to none",
      {
        article: "15",
        details: { consent: ["terms_not_in_force"], termsInForce: inForce?.number ?? null },
      },
    );
  if (consent.privacyNotice !== privacyNotice)
    throw new AppError(
      "conflict",
      `the privacy notice is version ${privacyNotice}: read it and consent to that version`,
      {
        article: "35(11)",
        details: { consent: ["privacy_not_current"], privacyNotice },
      },
    );
}
