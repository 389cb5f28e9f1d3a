/**
 * A contact's analytics as its flow set them: the transcript's language and, where the flow asked
 * for redaction, whether the text as said may be kept beside the redacted one (`keepOriginal`:
 * AnalyticsRedactionResults RedactedAndOriginal; the instance's setting still decides).
 */
export interface ContactAnalytics {
  language: string;
  redaction?: { keepOriginal: boolean };
}
