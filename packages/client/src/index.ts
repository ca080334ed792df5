export {
  type ClientOptions,
  CurfewApiError,
  CurfewClient,
  type Decision,
  type EvalInput,
  ExternalRun,
} from './curfew-client';
