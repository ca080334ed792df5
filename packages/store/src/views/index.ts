export * from './experiment-summary.js';
export * from './run-summary.js';
export * from './savings.js';
