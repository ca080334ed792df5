#!/usr/bin/env node
// Runs the scheduler's TypeScript sources through tsx, like the curfew CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
