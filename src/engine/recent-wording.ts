// The wording (slot text, before the titles and facts are filled in) of the last reasons the engine
// showed: a page's cards arrive as separate calls, so "is this sentence already on the page" has to
// be remembered across calls. A page's worth, oldest forgotten first.

export class RecentWording {
  private readonly order: string[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly size = 24) {}

  has(skeleton: string): boolean {
    return this.counts.has(skeleton);
  }

  add(skeleton: string): void {
    this.order.push(skeleton);
    this.counts.set(skeleton, (this.counts.get(skeleton) ?? 0) + 1);
    if (this.order.length <= this.size) return;
    const old = this.order.shift() as string;
    const left = (this.counts.get(old) ?? 1) - 1;
    if (left > 0) this.counts.set(old, left);
    else this.counts.delete(old);
  }
}
