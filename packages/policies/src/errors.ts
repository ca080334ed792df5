/** Options a policy cannot work with; names the option and the value. */
export class PolicyOptionsError extends Error {
  override readonly name = 'PolicyOptionsError';
}
