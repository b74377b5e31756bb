/**
 * A bounded map that forgets its oldest entries first. Entries here are facts that do not
 * change (an attempt's questions and deadline, a verified token), so there is no TTL
 * beyond what each value carries itself.
 */
export class BoundedMap<K, V> {
  private map = new Map<K, V>();
  constructor(private max: number) {}

  get(k: K): V | undefined {
    return this.map.get(k);
  }

  set(k: K, v: V) {
    if (this.map.has(k)) this.map.delete(k);
    else if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(k, v);
  }

  delete(k: K) {
    this.map.delete(k);
  }

  get size() {
    return this.map.size;
  }
}
