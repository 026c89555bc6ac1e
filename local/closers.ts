/** What the runtime must close when it stops, closed in reverse order of opening. */
export class Closers {
  private readonly closers: (() => Promise<void>)[] = [];

  add(close: () => Promise<void> | void): void {
    this.closers.push(async () => close());
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch((error: unknown) => console.error(error));
  }
}
