/**
 * The in-memory keyspace: typed values with lazy TTL expiry, and Redis's rule
 * that a container key disappears once it is empty.
 */
import { err } from './reply.ts';

export type Value =
  | { kind: 'string'; v: string }
  | { kind: 'hash'; v: Map<string, string> }
  | { kind: 'list'; v: string[] }
  | { kind: 'set'; v: Set<string> }
  | { kind: 'zset'; v: Map<string, number> };

export type Kind = Value['kind'];
interface KindMap {
  string: string;
  hash: Map<string, string>;
  list: string[];
  set: Set<string>;
  zset: Map<string, number>;
}
export type ValueOf<K extends Kind> = KindMap[K];

interface Entry {
  value: Value;
  /** Absolute expiry in epoch milliseconds. */
  expiresAt?: number;
}

export class MemoryStore {
  private readonly data = new Map<string, Entry>();

  /** Returns the live entry, lazily evicting it once its TTL has passed. */
  entry(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e && e.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  get<K extends Kind>(key: string, kind: K): ValueOf<K> | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    if (e.value.kind !== kind) throw err.wrongType();
    // The kind check above is what makes this narrowing sound.
    return e.value.v as unknown as ValueOf<K>;
  }

  /** Gets or creates a container, keeping any TTL the key already has. */
  getOrCreate<K extends Kind>(key: string, kind: K, create: () => ValueOf<K>): ValueOf<K> {
    const found = this.get(key, kind);
    if (found !== undefined) return found;
    const v = create();
    this.data.set(key, { value: { kind, v } as Value });
    return v;
  }

  setString(key: string, v: string, expiresAt?: number): void {
    this.data.set(key, { value: { kind: 'string', v }, expiresAt });
  }

  delete(key: string): boolean {
    const existed = this.entry(key) !== undefined;
    this.data.delete(key);
    return existed;
  }

  /** Redis removes a key as soon as its container becomes empty. */
  dropIfEmpty(key: string): void {
    const e = this.data.get(key);
    if (!e || e.value.kind === 'string') return;
    const size = e.value.v instanceof Map || e.value.v instanceof Set ? e.value.v.size : e.value.v.length;
    if (size === 0) this.data.delete(key);
  }

  liveKeys(): string[] {
    const now = Date.now();
    const keys: string[] = [];
    for (const [k, e] of this.data) {
      if (e.expiresAt !== undefined && e.expiresAt <= now) this.data.delete(k);
      else keys.push(k);
    }
    return keys;
  }

  flush(): void {
    this.data.clear();
  }
}
