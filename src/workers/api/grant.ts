/**
 * Privilege may only be handed down: a caller grants (in a security profile) or assigns (a
 * profile to a user) only permissions it holds itself, and edits no user or profile that holds
 * more than it does. Without this, `users.manage` alone could make anyone an admin.
 */
import { securityProfiles } from "../../db/schema";
import type { InstanceScope } from "../../db/scoped";
import { ApiError } from "../../lib/errors";
import type { Caller } from "../env";

/** 403 naming the permissions the caller lacks among `permissions`. */
export function assertHeld(caller: Caller, permissions: readonly string[], doing: string) {
  const lacking = permissions.filter((p) => !caller.permissions.has(p as never));
  if (lacking.length) {
    throw new ApiError(403, "forbidden", `You cannot ${doing} permissions you do not hold yourself: ${lacking.join(", ")}`);
  }
}

/** 403 unless every permission of the instance's security profile `profileId` is the caller's too (a missing one passes: references are checked apart). */
export async function assertGrantable(scope: InstanceScope, caller: Caller, profileId: string, doing: string) {
  const profile = await scope.get(securityProfiles, profileId);
  if (profile) assertHeld(caller, profile.permissions, doing);
}
