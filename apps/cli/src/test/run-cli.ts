import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

let defaultHome: string | undefined;
/**
 * The curfew home of commands whose test does not name one: a folder of this test file's own,
 * never the repository's .curfew (CURFEW_HOME: undefined asks for the default, .curfew in cwd).
 */
function testHome(): string {
  if (!defaultHome) {
    const home = mkdtempSync(path.join(tmpdir(), 'curfew-cli-test-'));
    process.once('exit', () => rmSync(home, { recursive: true, force: true }));
    defaultHome = home;
  }
  return defaultHome;
}

/** Starts the real `curfew` executable in a child process, as a user would. */
export function startCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string } = {},
): RunningCli {
  const home: Record<string, string> =
    opts.env && 'CURFEW_HOME' in opts.env ? {} : { CURFEW_HOME: testHome() };
  const env = { ...process.env, ...home, ...opts.env };
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
