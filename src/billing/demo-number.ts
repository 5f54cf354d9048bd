/**
 * The demo issuer's registration number: a valid check digit on a corporate number no registry office
 * issues (000000000001), so that no document made with the demo data names a real business. Documents
 * and the settings page mark it as a demo. No dependency: the web app imports it as it is.
 */
export const DEMO_REGISTRATION_NUMBER = "T8000000000001";

export const isDemoRegistrationNumber = (n: string) => n === DEMO_REGISTRATION_NUMBER;
