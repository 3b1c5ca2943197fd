// npm start: builds whatever is not built yet, then runs the whole platform in this process.
import { build, requireNode24 } from './build.mjs';

requireNode24();
try {
  build();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
await import('../dist/apps/standalone/src/main.js');
