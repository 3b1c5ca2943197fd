/** For component tests: lets a page's awaited answers land (a few promise turns), renders, and waits until it is stable. */
export async function settled(fixture: { whenStable(): Promise<unknown>; detectChanges(): void }): Promise<void> {
  await microtasks(10);
  fixture.detectChanges();
  await fixture.whenStable();
}

/** Lets awaited answers land: `turns` turns of the promise queue (a chain of awaits takes one each). */
export async function microtasks(turns = 20): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await Promise.resolve();
}
