export * from './fields.js';
export * from './finish.request.js';
export * from './parse-request.js';
export * from './report.request.js';
export * from './resume.request.js';
export * from './start-attempt.request.js';
