/** Runs a bench's `main` and exits when it is done: a failure prints one line, not a stack, and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(),
    (error: unknown) => {
      console.error('The bench failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
