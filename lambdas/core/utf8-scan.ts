/**
 * Checks bytes for valid UTF-8 as they stream past, counting lines, so a file saved in another encoding (Latin-1,
 * Windows-1252) is caught with the lines it is wrong on instead of being silently decoded to U+FFFD.
 */
export class Utf8Scanner {
  /** Continuation bytes still expected by the current sequence. */
  private pending = 0;
  /** Smallest and largest allowed value of the next continuation byte (excludes overlongs and surrogates). */
  private low = 0x80;
  private high = 0xbf;
  private line = 1;
  private reported = -1;
  /** Lines (1-based) holding an invalid sequence, the first `keep` of them. */
  readonly lines: number[] = [];
  invalidSequences = 0;

  constructor(private readonly keep = 20) {}

  private invalid(): void {
    this.invalidSequences += 1;
    if (this.line !== this.reported && this.lines.length < this.keep) this.lines.push(this.line);
    this.reported = this.line;
    this.pending = 0;
  }

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (this.pending > 0) {
        if (b >= this.low && b <= this.high) {
          this.pending -= 1;
          this.low = 0x80;
          this.high = 0xbf;
          continue;
        }
        this.invalid(); // the sequence broke off; this byte starts afresh
      }
      if (b === 0x0a) this.line += 1;
      if (b < 0x80) continue;
      if (b >= 0xc2 && b <= 0xdf) this.start(1, 0x80, 0xbf);
      else if (b === 0xe0) this.start(2, 0xa0, 0xbf);
      else if (b === 0xed) this.start(2, 0x80, 0x9f);
      else if (b >= 0xe1 && b <= 0xef) this.start(2, 0x80, 0xbf);
      else if (b === 0xf0) this.start(3, 0x90, 0xbf);
      else if (b === 0xf4) this.start(3, 0x80, 0x8f);
      else if (b >= 0xf1 && b <= 0xf3) this.start(3, 0x80, 0xbf);
      else this.invalid();
    }
  }

  private start(continuation: number, low: number, high: number): void {
    this.pending = continuation;
    this.low = low;
    this.high = high;
  }

  /** Ends the input: a sequence cut off at the end is invalid too. */
  finish(): void {
    if (this.pending > 0) this.invalid();
  }
}
