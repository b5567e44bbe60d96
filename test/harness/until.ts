/**
 * Polls `value` every 5 ms until it gives something other than undefined, and resolves with it;
 * rejects naming `what` after `timeoutMs`.
 *
 * @example
 * const job = await until('the job', () => started[0]);
 */
export async function until<T>(what: string, value: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const v = value();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
