// The machine-wide bound on warm containers: every profile's target together stays within
// what the machine's memory can hold.

/**
 * Lowers `targets` until their sum is at most `cap`, one container at a time from the
 * largest (the earliest profile on a tie), so a small profile keeps its few.
 */
export function capTargets(targets: readonly number[], cap: number | undefined): number[] {
  const capped = [...targets];
  if (cap === undefined) return capped;
  let excess = capped.reduce((sum, t) => sum + t, 0) - Math.max(0, cap);
  while (excess > 0) {
    const largest = capped.indexOf(Math.max(...capped));
    capped[largest]! -= 1;
    excess -= 1;
  }
  return capped;
}
