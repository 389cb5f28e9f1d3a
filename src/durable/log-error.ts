/** A failure logged as one JSON line (`event`, `message`) and swallowed: for work off the caller's path. */
export function logError(event: string) {
  return (err: unknown) => console.error(JSON.stringify({ event, message: String(err) }));
}
