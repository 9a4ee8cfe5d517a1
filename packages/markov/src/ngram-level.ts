/**
 * The n-grams of one order, each identified by an integer id and keyed by two integers:
 * (`back`, `first`) = (id of its last n-1 words at the order below, its first word).
 * This "reversed trie" makes every lookup one probe of an open-addressing hash table on
 * integer keys (no strings), and a query extends matches leftwards from the predicted word,
 * one probe per order, exactly as backoff needs.
 *
 * Order 1 is dense: the id of a unigram is its word id.
 */
export class NgramLevel {
  /** Number of n-grams (ids 0 .. size - 1). */
  size = 0;
  /** back[id]: id of the (n-1)-gram of the last n-1 words (0 at order 1). */
  back: Int32Array;
  /** first[id]: the first word. */
  first: Int32Array;
  private slots: Int32Array; // id + 1, 0 = empty
  private mask: number;
  readonly dense: boolean;

  /** A hashed level, or (dense = true) the unigram level of `capacity` words. */
  constructor(capacity = 1024, dense = false) {
    this.dense = dense;
    const cap = Math.max(16, capacity);
    this.back = new Int32Array(cap);
    this.first = new Int32Array(cap);
    if (dense) {
      this.size = capacity;
      for (let i = 0; i < capacity; i++) this.first[i] = i;
      this.slots = new Int32Array(0);
      this.mask = 0;
    } else {
      let n = 16;
      while (n < cap * 2) n *= 2;
      this.slots = new Int32Array(n);
      this.mask = n - 1;
    }
  }

  /** The id of (back, first), or -1. */
  find(back: number, first: number): number {
    if (this.dense) return first < this.size && first >= 0 ? first : -1;
    let slot = hash(back, first) & this.mask;
    for (;;) {
      const v = this.slots[slot]!;
      if (v === 0) return -1;
      const id = v - 1;
      if (this.back[id] === back && this.first[id] === first) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The id of (back, first), inserting it if absent. */
  insert(back: number, first: number): number {
    if (this.dense) return first;
    let slot = hash(back, first) & this.mask;
    for (;;) {
      const v = this.slots[slot]!;
      if (v === 0) break;
      const id = v - 1;
      if (this.back[id] === back && this.first[id] === first) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.size++;
    if (id >= this.back.length) this.growArrays();
    this.back[id] = back;
    this.first[id] = first;
    this.slots[slot] = id + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.back.byteLength + this.first.byteLength + this.slots.byteLength;
  }

  /** Drops spare capacity once no more n-grams will be inserted. */
  trim(): void {
    if (this.back.length > this.size) {
      this.back = this.back.slice(0, Math.max(1, this.size));
      this.first = this.first.slice(0, Math.max(1, this.size));
    }
  }

  private growArrays(): void {
    const cap = this.back.length * 2;
    const back = new Int32Array(cap);
    back.set(this.back);
    const first = new Int32Array(cap);
    first.set(this.first);
    this.back = back;
    this.first = first;
  }

  private rehash(): void {
    const n = this.slots.length * 2;
    const slots = new Int32Array(n);
    const mask = n - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = hash(this.back[id]!, this.first[id]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A 32-bit mix of two 32-bit integers (murmur3 finaliser on a multiplicative combination). */
function hash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
