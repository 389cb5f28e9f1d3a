/** A customer profile as flows see it (`$.Customer`) and what the profile blocks ask of the instance's profiles. */

/** A customer profile as a flow reads it (`$.Customer.FirstName`, `$.Customer.Attributes.Tier`…): every value text. */
export type CustomerProfileView = {
  profileId: string;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  emailAddress: string;
  address: Record<string, string>;
  attributes: Record<string, string>;
};

/** What a flow asks of a profile: the standard fields it gives and custom values (`Attributes`). */
export type CustomerProfileFields = {
  firstName?: string;
  lastName?: string;
  phoneNumber?: string;
  emailAddress?: string;
  /** Connect's names: Address1, Address2, City, State, PostalCode, Country. */
  address?: Record<string, string>;
  attributes?: Record<string, string>;
};

/** The profile operation of a `customer_profile` effect. */
export type CustomerProfileRequest =
  | { op: "get"; by: "phone" | "email" | "profileId" | "name"; value: string }
  | { op: "create"; fields: CustomerProfileFields }
  | { op: "update"; profileId: string; fields: CustomerProfileFields }
  | { op: "associate"; profileId: string };
