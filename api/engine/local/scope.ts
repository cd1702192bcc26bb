/**
 * Variable scopes and the execution-wide memory meter.
 *
 * Workflows scoping, as documented: variables belong to their subworkflow; a `for` loop's value,
 * index and any variable first created inside the loop exist only in that iteration; a parallel
 * branch (or parallel iteration) reads everything of its parent but may only write the parent
 * variables listed in `shared` — anything else it creates is local to the branch. Assignment
 * therefore walks outwards to the scope that already owns the name, and creates the name in the
 * innermost scope when nobody owns it.
 *
 * The meter adds up the JSON size of every live variable (Google's 512 KB limit covers variables,
 * arguments and events together). Sizes are tracked per variable so an assignment costs only the
 * size of the value it writes.
 */
import { DefinitionError, systemError } from './errors.js';
import { LIMITS } from './limits.js';
import { shallowCopyMap, sizeOf, isMap, getKey, setKey, typeName, type Value } from './values.js';

export class MemoryMeter {
  used = 0;
  /** The most the execution's variables ever used together (benchmarks and tests read it). */
  peak = 0;
  constructor(readonly limit: number = LIMITS.memoryBytes) {}

  /** Applies a size change; throws ResourceLimitError (without applying it) above the limit. */
  change(delta: number): void {
    if (this.used + delta > this.limit) {
      throw systemError(
        'ResourceLimitError',
        `ResourceLimitError: memory limit exceeded: variables would use ${this.used + delta} bytes, the limit is ${this.limit} bytes`,
      );
    }
    this.used += delta;
    if (this.used > this.peak) this.peak = this.used;
  }
}

export type ScopeKind = 'routine' | 'loop' | 'branch';

export class Scope {
  private readonly vars = new Map<string, Value>();
  private readonly sizes = new Map<string, number>();

  constructor(
    readonly parent: Scope | undefined,
    readonly kind: ScopeKind,
    readonly meter: MemoryMeter,
    /** Subworkflow call depth (inherited by loop and branch scopes). */
    readonly depth: number,
    /** For branch scopes: the parent variables this branch may write. */
    readonly shared: ReadonlySet<string> = new Set(),
    /** How many parallel branches enclose this scope, across subworkflow calls. */
    readonly parallelDepth: number = parent ? parent.parallelDepth + (kind === 'branch' ? 1 : 0) : 0,
  ) {}

  child(kind: 'loop' | 'branch', shared?: ReadonlySet<string>): Scope {
    return new Scope(this, kind, this.meter, this.depth, shared);
  }

  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) return s.vars.get(name) as Value;
    }
    return undefined;
  }

  /** Defines a variable in this very scope (params, loop variables). */
  define(name: string, value: Value): void {
    const size = sizeOf(value);
    this.meter.change(size - (this.sizes.get(name) ?? 0));
    this.vars.set(name, value);
    this.sizes.set(name, size);
  }

  /** `name: value` with Workflows scoping rules (see the file comment). */
  assign(name: string, value: Value): void {
    this.owner(name).define(name, value);
  }

  /** `a.b[0]: value`: copies the path it changes so other holders of the old value never see the write. */
  assignPath(root: string, path: Array<string | number>, value: Value): void {
    const owner = this.owner(root);
    const current = owner.vars.get(root);
    if (current === undefined) throw systemError('KeyError', `variable ${root} is not defined`);
    owner.define(root, setPath(current, path, value, root));
  }

  /** Frees this scope's variables from the memory meter (end of iteration, branch or call). */
  dispose(): void {
    let total = 0;
    for (const s of this.sizes.values()) total += s;
    this.meter.used -= total;
    this.vars.clear();
    this.sizes.clear();
  }

  /** The scope that owns `name` for writing, enforcing `shared` across parallel branches. */
  private owner(name: string): Scope {
    const crossed: Scope[] = [];
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) {
        for (const b of crossed) {
          if (!b.shared.has(name)) {
            throw new DefinitionError(`variable '${name}' belongs to the scope outside a parallel step and is not listed in its "shared" variables`);
          }
        }
        return s;
      }
      if (s.kind === 'branch') crossed.push(s);
    }
    return this;
  }
}

function setPath(container: Value, path: Array<string | number>, value: Value, label: string): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  if (Array.isArray(container)) {
    if (typeof head !== 'number' || !Number.isInteger(head)) throw systemError('TypeError', `list ${label} needs an int index, got ${typeof head === 'string' ? 'string' : typeName(head)}`);
    if (head < 0 || head >= container.length) throw systemError('IndexError', `list index out of range: ${head}`);
    const copy = [...container];
    copy[head] = setPath(container[head] as Value, rest, value, `${label}[${head}]`);
    return copy;
  }
  if (isMap(container)) {
    if (typeof head !== 'string') throw systemError('TypeError', `map ${label} needs a string key, got ${typeName(head)}`);
    const copy = shallowCopyMap(container);
    const inner = getKey(container, head);
    // Missing intermediate keys become maps, as Google does for `a.b.c: v`.
    setKey(copy, head, setPath(inner === undefined ? (rest.length ? {} : null) : inner, rest, value, `${label}.${head}`));
    return copy;
  }
  throw systemError('TypeError', `cannot assign into ${label}: it is a ${typeName(container)}`);
}
