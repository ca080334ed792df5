#!/usr/bin/env node
// Runs the worker's TypeScript sources through tsx, like the curfew CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
