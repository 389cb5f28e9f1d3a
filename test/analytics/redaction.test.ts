import { describe, expect, it } from "vitest";
import { digitRuns, luhnValid } from "../../src/analytics/digits";
import { findPii, redact } from "../../src/analytics/redaction";
import { contactRedactionPolicy } from "../../src/analytics/policy";

const types = (text: string) => findPii(text).map((e) => [e.type, e.text]);

describe("redaction (embedded recogniser)", () => {
  it("masks a typed card number that passes Luhn, with its expiry and CVV, and reports each span", () => {
    const text = "My card is 4111 1111 1111 1111, expires 04/27, cvv 123.";
    const { redacted, entities } = redact(text);
    expect(redacted).toBe("My card is [CREDIT_DEBIT_NUMBER], expires [CREDIT_DEBIT_EXPIRY], cvv [CREDIT_DEBIT_CVV].");
    expect(entities[0]).toEqual({ type: "CREDIT_DEBIT_NUMBER", start: 11, end: 30, text: "4111 1111 1111 1111" });
    for (const e of entities) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it("hears a spoken card number with 'oh' for zero and 'double', its spoken expiry and security code", () => {
    const text = "it's five five five five five five five five five five five five double four four four, expiring oh four twenty seven, security code is one oh three";
    expect(types(text)).toEqual([
      ["CREDIT_DEBIT_NUMBER", "five five five five five five five five five five five five double four four four"],
      ["CREDIT_DEBIT_EXPIRY", "oh four twenty seven"],
      ["CREDIT_DEBIT_CVV", "one oh three"],
    ]);
  });

  it("leaves a 16-digit number that fails Luhn, order ids, amounts and times alone", () => {
    for (const text of [
      "my card is 4111 1111 1111 1112",
      "order number 415 555 2671 shipped",
      "the total was $1,234.56 at 10:30",
      "I have been on hold for 45 minutes",
      "tracking number 1Z999AA10123456784",
      "your confirmation number is 123-45-6789",
    ]) {
      expect(redact(text)).toEqual({ redacted: text, entities: [] });
    }
  });

  it("masks SSNs typed or spoken, and the last four of a social", () => {
    expect(types("ssn 123-45-6789")).toEqual([["SSN", "123-45-6789"]]);
    expect(types("my social is one two three four five six seven eight nine")).toEqual([["SSN", "one two three four five six seven eight nine"]]);
    expect(types("the last four of my social are 6789")).toEqual([["SSN", "6789"]]);
  });

  it("masks phone numbers (libphonenumber-js) typed, international or spoken", () => {
    expect(types("call me at (415) 555-2671")).toEqual([["PHONE", "(415) 555-2671"]]);
    expect(types("my UK number is +44 20 7946 0958")).toEqual([["PHONE", "+44 20 7946 0958"]]);
    expect(types("it's four one five double five five two six seven one")).toEqual([["PHONE", "four one five double five five two six seven one"]]);
  });

  it("masks emails typed or spoken with 'at' and 'dot'", () => {
    expect(redact("email jane.doe@example.com please").redacted).toBe("email [EMAIL] please");
    expect(redact("it's john dot smith at gmail dot com").redacted).toBe("it's [EMAIL]");
  });

  it("masks routing numbers only when they pass the ABA checksum, and bank account numbers", () => {
    expect(types("routing number 021000021 and checking account number 123456789")).toEqual([
      ["BANK_ROUTING", "021000021"],
      ["BANK_ACCOUNT_NUMBER", "123456789"],
    ]);
    expect(types("routing number 021000022")).toEqual([]);
  });

  it("masks addresses, dates of birth, caller names and passport numbers", () => {
    expect(types("I live at 1234 Main Street, Springfield, IL 62704")).toEqual([["ADDRESS", "1234 Main Street, Springfield, IL 62704"]]);
    expect(types("born on the fifth of may nineteen eighty two")).toEqual([["DATE_OF_BIRTH", "the fifth of may nineteen eighty two"]]);
    expect(types("hi, my name is john smith and I'm calling about my bill")).toEqual([["NAME", "john smith"]]);
    expect(types("this is Maria Garcia")).toEqual([["NAME", "Maria Garcia"]]);
    expect(types("passport number X12345678")).toEqual([["PASSPORT_NUMBER", "X12345678"]]);
    expect(types("I'm calling about my bill, this is ridiculous")).toEqual([]);
  });

  it("masks only the types an instance asks for", () => {
    expect(redact("my name is Ann Lee, ssn 123-45-6789", { types: ["SSN"] }).redacted).toBe("my name is Ann Lee, ssn [SSN]");
  });

  it("reads digit runs and checks Luhn", () => {
    expect(digitRuns("four oh one, then 12").map((r) => r.digits)).toEqual(["401", "12"]);
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });
});

describe("bank numbers named together", () => {
  it("takes a number after 'account' as the account even when 'ABA' was said just before", () => {
    expect(types("ABA 121000358, account 55501234")).toEqual([
      ["BANK_ROUTING", "121000358"],
      ["BANK_ACCOUNT_NUMBER", "55501234"],
    ]);
  });
});

describe("wider coverage", () => {
  it("masks phone numbers said in another country's national format or as a US local number", () => {
    expect(types("you can text me on 07700 900123")).toEqual([["PHONE", "07700 900123"]]);
    expect(types("my mobile is 0412 345 678")).toEqual([["PHONE", "0412 345 678"]]);
    expect(types("My phone number is 555-0100")).toEqual([["PHONE", "555-0100"]]);
    expect(types("the order number is 0412 345 678")).toEqual([]);
  });

  it("keeps titles out of a masked name and apostrophes in an email", () => {
    expect(redact("my name is Dr. Jane Goodall").redacted).toBe("my name is Dr. [NAME]");
    expect(types("Email address: Sam.O'Brien@mail.example.com")).toEqual([["EMAIL", "Sam.O'Brien@mail.example.com"]]);
  });

  it("masks a PO box and an address with its state spelled out", () => {
    expect(types("send it to P.O. Box 1234")).toEqual([["ADDRESS", "P.O. Box 1234"]]);
    expect(types("my address is 12 Oak Hill Way, Austin, Texas 78701")).toEqual([["ADDRESS", "12 Oak Hill Way, Austin, Texas 78701"]]);
  });

  it("leaves a 16-digit invoice number alone even when it passes Luhn, unless the caller says card", () => {
    expect(types("invoice 4111111111111111")).toEqual([]);
    expect(types("my card, order ref 4111111111111111")).toEqual([["CREDIT_DEBIT_NUMBER", "4111111111111111"]]);
  });
});

describe("contactRedactionPolicy: a flow makes the instance's policy stricter, never looser", () => {
  const off = { enabled: false, types: null, keepUnredacted: true } as const;
  const emailsOnly = { enabled: true, types: ["EMAIL"] as const, keepUnredacted: true };
  it("no request from the flow leaves the instance's policy as it is", () => {
    expect(contactRedactionPolicy(off, undefined)).toBe(off);
  });
  it("turns masking on (every type) where the instance's is off, and keeps a copy only if both allow it", () => {
    expect(contactRedactionPolicy(off, { keepOriginal: false })).toEqual({ enabled: true, types: null, keepUnredacted: false });
    expect(contactRedactionPolicy(off, { keepOriginal: true })).toEqual({ enabled: true, types: null, keepUnredacted: true });
    expect(contactRedactionPolicy({ ...off, keepUnredacted: false }, { keepOriginal: true }).keepUnredacted).toBe(false);
  });
  it("keeps the instance's chosen types where its masking is on", () => {
    expect(contactRedactionPolicy(emailsOnly, { keepOriginal: false })).toEqual({ enabled: true, types: ["EMAIL"], keepUnredacted: false });
  });
});
