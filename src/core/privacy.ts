/**
 * The privacy notice applicants consent to (the personal information of their contacts, Art. 35(11)):
 * its text is the public page /privacy of the web app; its version is recorded with each web
 * application's consent. A new text gets a new version.
 */
export const PRIVACY_NOTICE_VERSION = "2026-12-01";
