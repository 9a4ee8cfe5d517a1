// A deliberately plain reference implementation of every smoothing method over string maps,
// written from the formulas (Chen & Goodman 1998; KenLM; Brants et al. 2007), independent of the
// package's integer-keyed tables. Slow and readable; for tests only.
import type { NgramSmoothing } from '../src/ngram-smoothing.js';

export class ReferenceLm {
  readonly counts = new Map<string, number>();
  readonly vocab: string[]; // predicted vocabulary: everything but <s>
  private readonly allTokens: string[];
  private readonly discounts: number[][] = [];

  constructor(
    sentences: string[][],
    readonly order: number,
    readonly smoothing: NgramSmoothing,
    vocabWords: string[],
  ) {
    for (const s of sentences) {
      const p = ['<s>', ...s, '</s>'];
      for (let i = 0; i < p.length; i++) {
        for (let k = 1; k <= order && i - k + 1 >= 0; k++) this.add(p.slice(i - k + 1, i + 1));
      }
    }
    this.vocab = ['<unk>', '</s>', ...vocabWords];
    this.allTokens = ['<s>', ...this.vocab];
    if (smoothing.kind === 'kneser-ney' || smoothing.kind === 'modified-kneser-ney') {
      for (let k = 1; k <= order; k++) this.discounts.push(this.knDiscounts(k));
    }
  }

  discountsUsed(): number[][] {
    return this.discounts;
  }

  c(g: string[]): number {
    return this.counts.get(g.join(' ')) ?? 0;
  }

  private readonly memo = new Map<string, number>();

  /** Memoises a per-context quantity (the reference recomputes them from the counts otherwise). */
  private cached(tag: string, h: string[], f: () => number): number {
    const key = `${tag}|${h.join(' ')}`;
    let v = this.memo.get(key);
    if (v === undefined) {
      v = f();
      this.memo.set(key, v);
    }
    return v;
  }

  /** Σ_x c(h x) */
  ctxCount(h: string[]): number {
    return this.cached('total', h, () => {
      let s = 0;
      for (const x of this.vocab) s += this.c([...h, x]);
      return s;
    });
  }

  /** N1+(h ·) */
  private types(h: string[]): number {
    return this.cached('types', h, () => this.vocab.filter((x) => this.c([...h, x]) > 0).length);
  }

  /** P(w | context), context truncated to the last order - 1 tokens. */
  p(context: string[], w: string): number {
    const h = context.slice(Math.max(0, context.length - (this.order - 1)));
    switch (this.smoothing.kind) {
      case 'mle':
        return this.mle(h, w);
      case 'add-k': {
        const k = this.smoothing.k;
        return (this.c([...h, w]) + k) / (this.ctxCount(h) + k * this.vocab.length);
      }
      case 'witten-bell':
        return this.wb(h, w);
      case 'kneser-ney':
      case 'modified-kneser-ney':
        return this.kn(h, w);
      case 'stupid-backoff':
        return this.sb(h, w, this.smoothing.alpha ?? 0.4);
    }
  }

  private add(g: string[]): void {
    const key = g.join(' ');
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private mle(h: string[], w: string): number {
    const total = this.ctxCount(h);
    if (total === 0) return this.mle(h.slice(1), w);
    return this.c([...h, w]) / total;
  }

  private wb(h: string[], w: string): number {
    if (h.length === 0) {
      const n = this.ctxCount([]);
      const types = this.types([]);
      return (this.c([w]) + types / this.vocab.length) / (n + types);
    }
    const total = this.ctxCount(h);
    if (total === 0) return this.wb(h.slice(1), w);
    const types = this.types(h);
    return (this.c([...h, w]) + types * this.wb(h.slice(1), w)) / (total + types);
  }

  private sb(h: string[], w: string, alpha: number): number {
    if (h.length === 0) return (this.c([w]) + 1) / (this.ctxCount([]) + this.vocab.length);
    const c = this.c([...h, w]);
    if (c > 0) return c / this.ctxCount(h);
    return alpha * this.sb(h.slice(1), w, alpha);
  }

  /** Adjusted count: raw at the top order or after <s>, else the number of distinct left neighbours. */
  private readonly aCache = new Map<string, number>();

  a(g: string[]): number {
    const key = g.join(' ');
    let v = this.aCache.get(key);
    if (v === undefined) {
      v = this.aUncached(g);
      this.aCache.set(key, v);
    }
    return v;
  }

  private aUncached(g: string[]): number {
    if (g.length === 1 && g[0] === '<s>') return 0;
    if (g.length === this.order || g[0] === '<s>') return this.c(g);
    let n = 0;
    for (const v of this.allTokens) if (this.c([v, ...g]) > 0) n++;
    return n;
  }

  private knDiscounts(k: number): number[] {
    const s = this.smoothing as Extract<NgramSmoothing, { kind: 'kneser-ney' | 'modified-kneser-ney' }>;
    const n = [0, 0, 0, 0, 0];
    for (const key of this.counts.keys()) {
      const g = key.split(' ');
      if (g.length !== k) continue;
      const a = this.a(g);
      if (a >= 1 && a <= 4) n[a]!++;
    }
    if (s.kind === 'kneser-ney') {
      const given = typeof s.discount === 'number' ? s.discount : s.discount?.[k - 1];
      return [given ?? n[1]! / (n[1]! + 2 * n[2]!)];
    }
    if (s.discounts?.[k - 1]) return [...s.discounts[k - 1]!];
    const y = n[1]! / (n[1]! + 2 * n[2]!);
    const d = [1, 2, 3].map((j) => j - ((j + 1) * y * n[j + 1]!) / n[j]!);
    const ok = n[1]! > 0 && n[2]! > 0 && n[3]! > 0 && d.every((x, i) => x >= 0 && x <= i + 1);
    return ok ? d : [...s.discountFallback!];
  }

  private d(k: number, a: number): number {
    if (a === 0) return 0;
    const ds = this.discounts[k - 1]!;
    return ds.length === 1 ? ds[0]! : ds[Math.min(a, 3) - 1]!;
  }

  private kn(h: string[], w: string): number {
    const k = h.length + 1;
    const den = this.cached('kn-den', h, () => this.vocab.reduce((s, x) => s + this.a([...h, x]), 0));
    const gammaNum = this.cached('kn-gamma', h, () =>
      this.vocab.reduce((s, x) => s + this.d(k, this.a([...h, x])), 0),
    );
    if (h.length === 0) {
      const a = this.a([w]);
      return (a - this.d(1, a)) / den + gammaNum / den / this.vocab.length;
    }
    if (den === 0) return this.kn(h.slice(1), w);
    const a = this.a([...h, w]);
    return (a - this.d(k, a)) / den + (gammaNum / den) * this.kn(h.slice(1), w);
  }
}
