/**
 * The personal-data types the redaction engine masks (src/analytics), named after Amazon
 * Comprehend's PII types as Contact Lens uses them. Here so the web app's settings can list them.
 */
export const PII_TYPES = [
  "CREDIT_DEBIT_NUMBER",
  "CREDIT_DEBIT_CVV",
  "CREDIT_DEBIT_EXPIRY",
  "BANK_ACCOUNT_NUMBER",
  "BANK_ROUTING",
  "SSN",
  "PHONE",
  "EMAIL",
  "ADDRESS",
  "DATE_OF_BIRTH",
  "NAME",
  "PASSPORT_NUMBER",
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** What a person reads for each type (the settings screen). */
export const PII_TYPE_LABELS: Record<PiiType, string> = {
  CREDIT_DEBIT_NUMBER: "Card numbers",
  CREDIT_DEBIT_CVV: "Card security codes",
  CREDIT_DEBIT_EXPIRY: "Card expiry dates",
  BANK_ACCOUNT_NUMBER: "Bank account numbers",
  BANK_ROUTING: "Bank routing numbers",
  SSN: "Social Security numbers",
  PHONE: "Phone numbers",
  EMAIL: "Email addresses",
  ADDRESS: "Street addresses",
  DATE_OF_BIRTH: "Dates of birth",
  NAME: "Names given by the caller",
  PASSPORT_NUMBER: "Passport numbers",
};
