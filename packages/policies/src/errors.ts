/** Options a policy cannot work with; names the option and the value. */
export class PolicyOptionsError extends Error {
  override readonly name = 'PolicyOptionsError';
}

/** A state object handed to `restore()` that this code did not write. */
export class PolicyStateError extends Error {
  override readonly name = 'PolicyStateError';
}
