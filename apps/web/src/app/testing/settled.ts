/** For component tests: lets a page's awaited answers land (a few promise turns), renders, and waits until it is stable. */
export async function settled(fixture: { whenStable(): Promise<unknown>; detectChanges(): void }): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await Promise.resolve();
  fixture.detectChanges();
  await fixture.whenStable();
}
