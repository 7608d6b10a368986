/**
 * Settles like `promise`, or rejects with "no answer within `ms` ms" if it takes longer. The
 * work itself is not cancelled: use it where the caller must answer in time (a health probe,
 * a metrics scrape) and the work is harmless to finish late.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
