import type { CategoricalAnswers } from './types.ts';

/** Maps string ids to dense indices 0..size-1 in order of first appearance. */
export class IdEncoder {
  private readonly map = new Map<string, number>();
  readonly ids: string[] = [];

  constructor(initial: Iterable<string> = []) {
    for (const id of initial) this.index(id);
  }

  /** The index of `id`, assigning the next free one the first time it is seen. */
  index(id: string): number {
    let i = this.map.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.map.set(id, i);
      this.ids.push(id);
    }
    return i;
  }

  /** The index of `id`, or -1 when it was never seen. */
  get(id: string): number {
    return this.map.get(id) ?? -1;
  }

  id(index: number): string {
    return this.ids[index];
  }

  get size(): number {
    return this.ids.length;
  }
}

/** An Int32Array that grows by doubling. */
class IntBuffer {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Collects (item, worker, label) answers with string ids into the dense typed arrays the
 * engine reads. Declare the project's label options up front (`labels`) so that options nobody
 * chose still exist as classes; unknown labels met later are appended.
 */
export class AnswerEncoder {
  readonly items: IdEncoder;
  readonly workers = new IdEncoder();
  readonly labels: IdEncoder;
  private readonly item = new IntBuffer();
  private readonly worker = new IntBuffer();
  private readonly label = new IntBuffer();
  private readonly goldItem = new IntBuffer();
  private readonly goldLabel = new IntBuffer();

  constructor(options: { labels?: Iterable<string>; items?: Iterable<string> } = {}) {
    this.labels = new IdEncoder(options.labels);
    this.items = new IdEncoder(options.items);
  }

  add(item: string, worker: string, label: string): void {
    this.item.push(this.items.index(item));
    this.worker.push(this.workers.index(worker));
    this.label.push(this.labels.index(label));
  }

  /** Declares a gold item; the last declaration for an item wins. */
  addGold(item: string, label: string): void {
    this.goldItem.push(this.items.index(item));
    this.goldLabel.push(this.labels.index(label));
  }

  get answerCount(): number {
    return this.item.length;
  }

  answers(): CategoricalAnswers {
    return {
      nItems: this.items.size,
      nWorkers: this.workers.size,
      nLabels: Math.max(1, this.labels.size),
      item: this.item.toArray(),
      worker: this.worker.toArray(),
      label: this.label.toArray(),
    };
  }

  /** Per-item gold label index, -1 where the item is not gold (length = items seen so far). */
  gold(): Int32Array {
    const g = new Int32Array(this.items.size).fill(-1);
    for (let j = 0; j < this.goldItem.length; j++) g[this.goldItem.data[j]] = this.goldLabel.data[j];
    return g;
  }
}
