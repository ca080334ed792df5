// For other workspaces' browser tests and the bench: Debian's Chromium through playwright-core.
export {
  type Browser,
  CHROMIUM,
  ensureChromium,
  inkOfColor,
  openBrowser,
  pixelsOfColor,
} from './testing/browser';
