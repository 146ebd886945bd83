/**
 * A cache keyed by regex text, bounded by the characters its keys hold rather than by their number:
 * 50,000 short patterns are nothing, 50,000 long ones are gigabytes. Past the bound it starts over
 * (the work it saves is cheap to redo; the memory it could hold is not).
 */
export class PatternCache<V> {
  private readonly entries = new Map<string, V>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get(pattern: string): V | undefined {
    return this.entries.get(pattern);
  }

  set(pattern: string, value: V): void {
    if (pattern.length > this.maxChars / 16) return; // one entry never takes a large share
    if (this.entries.has(pattern)) return;
    if (this.chars + pattern.length > this.maxChars) {
      this.entries.clear();
      this.chars = 0;
    }
    this.entries.set(pattern, value);
    this.chars += pattern.length;
  }

  /** Characters held, for tests. */
  get size(): number {
    return this.chars;
  }
}
