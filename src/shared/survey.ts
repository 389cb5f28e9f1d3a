/**
 * Post-contact surveys: the contact attribute a survey flow sets to store the customer's answer
 * (UpdateContactAttributes `SurveyRating`, e.g. from `$.StoredCustomerInput`), and the answers
 * that count as a rating. Anything else (a 7, "great", 3.5) is left in the attributes but never
 * stored as the contact's satisfaction.
 */
export const SURVEY_RATING_ATTRIBUTE = "SurveyRating";
export const MIN_RATING = 1;
export const MAX_RATING = 5;

/** The rating a survey answer gives (a whole number 1–5, surrounding spaces allowed), else null. */
export function surveyRating(answer: string | undefined | null): number | null {
  const m = /^\s*([1-5])\s*$/.exec(answer ?? "");
  return m ? Number(m[1]) : null;
}
