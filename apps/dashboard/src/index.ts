export {
  type DashboardConfig,
  DashboardConfigError,
  DashboardEnv,
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_PORT,
  readDashboardConfig,
} from './env';
export {
  type DashboardHandle,
  DashboardListenError,
  type DashboardOptions,
  startDashboard,
} from './start-dashboard';
