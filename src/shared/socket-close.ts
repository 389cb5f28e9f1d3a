/**
 * Close codes the server ends a browser socket with, which the browser must not answer by
 * reconnecting (application codes 4000–4999).
 */

/** The socket's session was revoked or has expired (signed out, new password, deactivated): sign in again. */
export const SIGNED_OUT_CLOSE_CODE = 4401;

/** What the app says on the sign-in screen after a socket closed with SIGNED_OUT_CLOSE_CODE. */
export const SIGNED_OUT_NOTICE = "Your session has ended. Please sign in again.";
