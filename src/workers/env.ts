import type { Db } from "../db/client";
import type { InstanceScope } from "../db/scoped";
import type { Permission } from "../shared/permissions";

/** Who is calling: set by the session middleware on every `/api/v1` route but sign-in. */
export type Caller = {
  instanceId: string;
  userId: string;
  email: string;
  name: string;
  permissions: ReadonlySet<Permission>;
  sessionId: string;
};

export type AppEnv = {
  Bindings: Env;
  Variables: {
    db: Db;
    caller: Caller;
    scope: InstanceScope;
  };
};
