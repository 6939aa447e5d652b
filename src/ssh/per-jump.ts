/**
 * A flag's values for `jumps` jumps, paired as every command pairs them: none given is undefined for each,
 * one is every jump's, one per jump is the Nth jump's; any other count is undefined (the caller says why).
 */
export function perJump<T>(values: readonly T[], jumps: number): (T | undefined)[] | undefined {
  if (values.length > 1 && values.length !== jumps) return undefined;
  return Array.from({ length: jumps }, (_, index) => (values.length > 1 ? values[index] : values[0]));
}
