/**
 * GetParticipantInput (Get customer input / Store customer input): DTMF menus, multi-digit entry
 * stored in `$.StoredCustomerInput`, and speech or chat text matched against the conditions.
 *
 * InputEncryption (Amazon Connect's "encrypt entry", e.g. a card number): the caller keys digits,
 * whoever runs the turn encrypts them with the flow's RSA public key (`keyedValue` says what to
 * encrypt) and passes the ciphertext with the event as `sealedInput`. The flow checks the clear
 * digits (length, phone number) and keeps only the ciphertext: `$.StoredCustomerInput` is it,
 * so the flow can hand it on (to an attribute, to an external call whose owner holds the private
 * key) but never has the digits to store, log or say. With no ciphertext (a chat, speech, a
 * simulation, a key that would not import) the input takes the NoMatchingError branch.
 */
import type { FlowConditionTransition, FlowEvent, InputEncryption, Pending } from "../types";
import { flag, integer, isFlag, isObject } from "../values";
import { checkPrompt, fail, isAudioUrl, next, promptOf, WHISPERS, type ActionHandler, type Run } from "./types";

const DEFAULT_TIMEOUT_SECONDS = 5;
const WORDS: Record<string, string> = {
  zero: "0", oh: "0", one: "1", two: "2", three: "3", four: "4", five: "5", six: "6", seven: "7", eight: "8", nine: "9",
  star: "*", pound: "#", hash: "#",
};

const normalise = (s: string) => s.toLowerCase().replace(/[.,!?;:"]+/g, " ").replace(/\s+/g, " ").trim();

/** Speech or chat text against a condition's operand: the same words, the digit said as a word, or the phrase inside. */
export function textMatches(input: string, operand: string): boolean {
  const said = normalise(input);
  const want = normalise(operand);
  if (said === want) return true;
  if (WORDS[said] === want) return true;
  if (/^[0-9*#]$/.test(want)) return said.split(" ").some((w) => w === want || WORDS[w] === want) && said.split(" ").length <= 3;
  return want !== "" && ` ${said} `.includes(` ${want} `);
}

function settings(r: Run) {
  const p = r.params;
  const dtmf = isObject(p.DTMFConfiguration) ? p.DTMFConfiguration : {};
  const validation = isObject(p.InputValidation) ? p.InputValidation : {};
  const custom = isObject(validation.CustomValidation) ? validation.CustomValidation : undefined;
  const phone = isObject(validation.PhoneNumberValidation) ? validation.PhoneNumberValidation : undefined;
  const storeInput = flag(p.StoreInput);
  const timeoutSeconds = integer(p.InputTimeLimitSeconds ?? p.InputTimeoutSeconds) ?? DEFAULT_TIMEOUT_SECONDS;
  const term = typeof dtmf.InputTerminationSequence === "string" ? dtmf.InputTerminationSequence : undefined;
  const maxDigits = storeInput
    ? (integer(custom?.MaximumLength) ?? integer(dtmf.MaxInputDigits) ?? (phone ? 20 : undefined))
    : 1;
  return { storeInput, timeoutSeconds, finishOnKey: storeInput ? (term ?? "#") : term, maxDigits, phone, encryption: inputEncryption(p.InputEncryption) };
}

const PEM = /^-----BEGIN (PUBLIC KEY|CERTIFICATE)-----[\sA-Za-z0-9+/=]+-----END \1-----\s*$/;

function inputEncryption(v: unknown): InputEncryption | undefined {
  if (!isObject(v) || typeof v.EncryptionKeyId !== "string" || typeof v.Key !== "string") return undefined;
  return { keyId: v.EncryptionKeyId, key: v.Key.trim() };
}

/** What a stored input keeps of the keys pressed: the digits without the termination key. */
export function keyedValue(digits: string, finishOnKey?: string): string {
  const value = digits.trim();
  return finishOnKey && value.endsWith(finishOnKey) ? value.slice(0, -finishOnKey.length) : value;
}

/** The key to encrypt this event's digits with before the flow sees them, and what to encrypt; null when the input is not encrypted. */
export function inputToEncrypt(pending: Pending | null | undefined, event: FlowEvent): { encryption: InputEncryption; value: string } | null {
  if (pending?.kind !== "input" || !pending.encryption || event.type !== "input" || !event.digits) return null;
  return { encryption: pending.encryption, value: keyedValue(event.digits, pending.finishOnKey) };
}

/**
 * A North American number checked as Local (US or CA) is kept in E.164 ("4155550123" → "+14155550123"), as Amazon
 * Connect stores it: that is what UpdateContactCallbackNumber takes (the sample callback flows pass it straight on).
 */
export function storedPhoneNumber(value: string, phone: Record<string, unknown>): string {
  const country = String(phone.CountryCode ?? "").toUpperCase();
  return phone.NumberFormat !== "E164" && (country === "US" || country === "CA") ? `+1${value.slice(-10)}` : value;
}

/** A phone number as PhoneNumberValidation checks it. */
export function validPhoneNumber(value: string, phone: Record<string, unknown>): boolean {
  if (phone.NumberFormat === "E164") return /^\+[1-9]\d{6,14}$/.test(value);
  const country = String(phone.CountryCode ?? "").toUpperCase();
  if (country === "US" || country === "CA") return /^1?[2-9]\d{2}[2-9]\d{6}$/.test(value);
  return /^\d{4,15}$/.test(value);
}

export const GetParticipantInput: ActionHandler = {
  type: "GetParticipantInput",
  errors: ["InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError", "InvalidPhoneNumber"],
  notIn: WHISPERS,
  check(params, report, action) {
    checkPrompt(params, report, false);
    const limit = params.InputTimeLimitSeconds ?? params.InputTimeoutSeconds;
    if (limit !== undefined) {
      const n = integer(limit);
      if (n === undefined || n < 1 || n > 180) report("InputTimeLimitSeconds", "must be a whole number of seconds from 1 to 180");
    }
    if (params.StoreInput !== undefined && !isFlag(params.StoreInput)) report("StoreInput", 'must be "True" or "False"');
    const store = flag(params.StoreInput);
    const conditions = action.Transitions?.Conditions ?? [];
    if (store && conditions.length) report("Transitions.Conditions", "conditions are not supported when StoreInput is True (compare $.StoredCustomerInput afterwards)");
    if (params.InputEncryption !== undefined) {
      const e = params.InputEncryption;
      if (!store) report("InputEncryption", 'needs StoreInput "True"');
      if (!isObject(e)) report("InputEncryption", "must be an object");
      else {
        if (typeof e.EncryptionKeyId !== "string" || !e.EncryptionKeyId.trim()) report("InputEncryption.EncryptionKeyId", "is required");
        if (typeof e.Key !== "string" || !PEM.test(e.Key.trim())) report("InputEncryption.Key", "must be a PEM RSA public key or certificate");
      }
    }
    if (params.InputValidation !== undefined) {
      const v = params.InputValidation;
      if (!isObject(v)) report("InputValidation", "must be an object");
      else {
        if (v.PhoneNumberValidation && v.CustomValidation) report("InputValidation", "give PhoneNumberValidation or CustomValidation, not both");
        if (isObject(v.CustomValidation)) {
          const max = integer(v.CustomValidation.MaximumLength);
          if (max === undefined || max < 1 || max > 100) report("InputValidation.CustomValidation.MaximumLength", "must be a whole number from 1 to 100");
        }
        if (isObject(v.PhoneNumberValidation)) {
          const f = v.PhoneNumberValidation.NumberFormat;
          if (f !== "Local" && f !== "E164") report("InputValidation.PhoneNumberValidation.NumberFormat", 'must be "Local" or "E164"');
          if (f === "Local" && typeof v.PhoneNumberValidation.CountryCode !== "string") {
            report("InputValidation.PhoneNumberValidation.CountryCode", "is required for Local numbers");
          }
        }
      }
    }
    if (params.DTMFConfiguration !== undefined) {
      const d = params.DTMFConfiguration;
      if (!isObject(d)) report("DTMFConfiguration", "must be an object");
      else if (d.InputTerminationSequence !== undefined && !(typeof d.InputTerminationSequence === "string" && /^[0-9*#]{1,5}$/.test(d.InputTerminationSequence))) {
        report("DTMFConfiguration.InputTerminationSequence", "must be up to five of 0-9, * and #");
      }
    }
    for (const c of conditions) {
      if (c.Condition?.Operator !== "Equals") report("Transitions.Conditions", `only Equals can be used here (found ${c.Condition?.Operator})`);
    }
  },
  run(r) {
    if (r.state.channel === "TASK") return fail("NoMatchingError", "a task has no participant to ask");
    // A transfer flow on a warm transfer is heard by the agent who transferred: nobody there keys input to it.
    if (r.state.warmTransfer) return fail("NoMatchingError", "on a warm transfer nobody keys input to the transfer flow");
    const s = settings(r);
    // A prompt ARN names audio in Amazon Connect that Switchboard does not have: never <Play> it, ask without it.
    const given = promptOf(r);
    const prompt = given?.audioUrl !== undefined && !isAudioUrl(given.audioUrl) ? null : given;
    const note = prompt === given ? undefined : `prompt ${given?.audioUrl} has no audio here: asked without it`;
    const operands = (r.action.Transitions?.Conditions ?? []).flatMap((c) => c.Condition?.Operands ?? []);
    const speech = operands.some((o) => !/^[0-9*#]+$/.test(o));
    r.emit({
      type: "gather",
      prompt,
      voice: r.state.voice,
      input: r.state.channel === "CHAT" ? "text" : speech && !s.encryption ? "dtmf speech" : "dtmf",
      numDigits: s.maxDigits,
      finishOnKey: s.finishOnKey,
      timeoutSeconds: s.timeoutSeconds,
    });
    const pending: Pending = {
      kind: "input", actionId: r.action.Identifier, storeInput: s.storeInput, maxDigits: s.maxDigits, finishOnKey: s.finishOnKey, timeoutSeconds: s.timeoutSeconds,
      ...(s.encryption && s.storeInput ? { encryption: s.encryption } : {}),
    };
    return { kind: "wait", status: "waiting_input", pending, data: { prompt, ...(note ? { note } : {}) } };
  },
  resume(r, event, pending) {
    if (pending.kind !== "input") return { kind: "ignore" };
    const s = settings(r);
    const hasTimeoutBranch = (r.action.Transitions?.Errors ?? []).some((e) => e.ErrorType === "InputTimeLimitExceeded");
    if (event.type === "input_timeout" || (event.type === "input" && !(event.digits || event.text || event.speech))) {
      if (s.storeInput && !hasTimeoutBranch) {
        // Store customer input: no entry takes the Success branch with the value "Timeout".
        r.state.storedCustomerInput = "Timeout";
        return next({ input: "Timeout" });
      }
      return fail("InputTimeLimitExceeded", `no input within ${s.timeoutSeconds} s`);
    }
    if (event.type !== "input") return { kind: "ignore" };
    if (s.storeInput && s.encryption) {
      // Only the ciphertext is kept; neither a message nor a log entry carries the digits.
      if (event.sealedInput === undefined || !event.digits) return fail("NoMatchingError", "encrypted input must be keyed digits, encrypted before the flow sees them");
      const value = keyedValue(event.digits, s.finishOnKey);
      if (s.phone && !validPhoneNumber(value, s.phone)) return fail("InvalidPhoneNumber", "the encrypted input is not a valid phone number");
      if (s.maxDigits !== undefined && value.length > s.maxDigits) return fail("NoMatchingError", `input is longer than ${s.maxDigits} characters`);
      r.state.storedCustomerInput = event.sealedInput;
      return next({ input: "(encrypted)", encryptionKeyId: s.encryption.keyId });
    }
    if (s.storeInput) {
      let value = (event.digits ?? event.text ?? event.speech ?? "").trim();
      if (s.finishOnKey && value.endsWith(s.finishOnKey)) value = value.slice(0, -s.finishOnKey.length);
      if (s.phone && !validPhoneNumber(value, s.phone)) return fail("InvalidPhoneNumber", `"${value}" is not a valid phone number`, { input: value });
      if (s.maxDigits !== undefined && value.length > s.maxDigits) return fail("NoMatchingError", `input is longer than ${s.maxDigits} characters`);
      if (s.phone) value = storedPhoneNumber(value, s.phone);
      r.state.storedCustomerInput = value;
      return next({ input: value });
    }
    const conditions = r.action.Transitions?.Conditions ?? [];
    let value: string;
    let match: FlowConditionTransition | undefined;
    if (event.digits !== undefined && event.digits !== "") {
      value = event.digits.replace(/#$/, "");
      match = conditions.find((c) => c.Condition.Operands.some((o) => o === value));
    } else {
      value = (event.speech ?? event.text ?? "").trim();
      match = conditions.find((c) => c.Condition.Operands.some((o) => textMatches(value, o)));
    }
    return { kind: "result", value, match: match ?? null };
  },
};
