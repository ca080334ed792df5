import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/curfew.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  stdout(): string;
  /** Resolves once the process has exited. */
  done: Promise<CliResult>;
}

/** Starts the real `curfew` executable in a child process, as a user would. */
export function startCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string } = {},
): RunningCli {
  const env = { ...process.env, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stdout: () => stdout, done };
}

/** Runs the real `curfew` executable to the end. */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string } = {},
) {
  return startCli(args, opts).done;
}

/** Waits until the process's stdout satisfies `predicate`; fails on timeout or when it exits first. */
export function waitForStdout(
  running: RunningCli,
  predicate: (stdout: string) => boolean,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!predicate(running.stdout())) return;
      cleanup();
      resolve();
    };
    const exited = () => {
      cleanup();
      reject(new Error(`curfew exited before the expected output; stdout so far:\n${running.stdout()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no expected output within ${timeoutMs} ms; stdout so far:\n${running.stdout()}`));
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      running.child.stdout.off('data', check);
      running.child.off('close', exited);
    }
    running.child.stdout.on('data', check);
    running.child.on('close', exited);
    check();
  });
}
