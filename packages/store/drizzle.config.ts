import { defineConfig } from 'drizzle-kit';

// drizzle-kit resolves these paths from the working directory; `npm run db:generate` runs at the repo root.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/store/src/schema/index.ts',
  out: './migrations',
});
