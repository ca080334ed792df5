import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface Interrupt {
  /** Aborted on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Exit code for the signal received (130 for SIGINT, 143 for SIGTERM), or null. */
  exitCode(): number | null;
  /** Stops listening: the signals get their default behaviour back. */
  dispose(): void;
}

/**
 * Turns the first SIGINT (Ctrl-C) or SIGTERM into an abort, so training checkpoints and returns.
 * The listeners go after the first signal: a second Ctrl-C quits at once, as users expect.
 */
export function watchInterrupts(onSignal: (name: NodeJS.Signals) => void): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const dispose = () => {
    for (const name of SIGNALS) process.off(name, handler);
  };
  function handler(name: NodeJS.Signals) {
    dispose();
    received = name;
    controller.abort();
    onSignal(name);
  }
  for (const name of SIGNALS) process.on(name, handler);
  return {
    signal: controller.signal,
    exitCode: () => (received === null ? null : 128 + constants.signals[received]),
    dispose,
  };
}
