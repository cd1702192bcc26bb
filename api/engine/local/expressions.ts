/**
 * The `${...}` expression language: tokenizer, recursive-descent parser and evaluator.
 *
 * Why hand-written and not a library (jsep, expr-eval, filtrex, …): Workflows expressions are
 * Python-flavoured — `and`/`or`/`not`/`in` keywords, `//` floor division, Python `%`, dotted
 * function names such as `map.get` and `text.split` that are not member calls — and they must fail
 * exactly like Google does: no implicit coercion (`"a" + 1` is a TypeError), booleans only in
 * `and`/`or`/`not`/conditions, KeyError/IndexError/ZeroDivisionError tags. The JS-oriented
 * libraries parse a different grammar and coerce like JavaScript, so we would have to re-check every
 * node anyway; the grammar is small enough (≈ 300 lines) to own outright, with no new dependency.
 *
 * Precedence, lowest first (as in Python): or, and, not, comparisons/in, + -, * / // %, unary -,
 * postfix (`.name`, `[index]`, `(args)`), primaries (literals, names, `( )`, `[ ]`, `{ }`).
 */
import { systemError } from './errors.js';
import { deepEqual, getKey, hasKey, isMap, newMap, typeName, type Value, type WfMap } from './values.js';

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'and' | 'or';

export type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'var'; name: string }
  | { k: 'member'; obj: Expr; name: string }
  | { k: 'index'; obj: Expr; index: Expr }
  | { k: 'call'; fn: string; args: Expr[] }
  | { k: 'unary'; op: '-' | 'not'; e: Expr }
  | { k: 'bin'; op: BinaryOp; l: Expr; r: Expr }
  | { k: 'list'; items: Expr[] }
  | { k: 'map'; entries: Array<[Expr, Expr]> };

/** A syntax error in an expression; the loader adds the step name. */
export class ExprSyntaxError extends Error {
  constructor(message: string, readonly source: string) {
    super(`${message} in expression "${source}"`);
    this.name = 'ExprSyntaxError';
  }
}

// ---------------------------------------------------------------- tokenizer

type Tok =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: 'eof' };

const KEYWORD_LITERALS: Record<string, Value> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  null: null,
};

const OPERATORS = ['//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      const text = (m as RegExpExecArray)[0];
      out.push({ t: 'num', v: Number(text) });
      i += text.length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= src.length) throw new ExprSyntaxError('unterminated string', src);
        const d = src[j] as string;
        if (d === c) break;
        if (d === '\\') {
          const e = src[j + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f' };
          if (e === 'u') {
            const hex = src.slice(j + 2, j + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ExprSyntaxError('bad \\u escape', src);
            s += String.fromCharCode(parseInt(hex, 16));
            j += 6;
            continue;
          }
          if (e === undefined || !(e in simple)) throw new ExprSyntaxError(`bad escape \\${e ?? ''}`, src);
          s += simple[e];
          j += 2;
          continue;
        }
        s += d;
        j++;
      }
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprSyntaxError(`unexpected character "${c}"`, src);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'eof' });
  return out;
}

// ---------------------------------------------------------------- parser

class Parser {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  private peek(): Tok {
    return this.toks[this.pos] as Tok;
  }
  private next(): Tok {
    return this.toks[this.pos++] as Tok;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private isKw(v: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw this.err(`expected "${v}"`);
    this.pos++;
  }
  private err(msg: string): ExprSyntaxError {
    const t = this.peek();
    const at = t.t === 'eof' ? 'end of expression' : `"${'v' in t ? String(t.v) : ''}"`;
    return new ExprSyntaxError(`${msg} at ${at}`, this.src);
  }

  parseAll(): Expr {
    if (this.peek().t === 'eof') throw new ExprSyntaxError('empty expression', this.src);
    const e = this.parseOr();
    if (this.peek().t !== 'eof') throw this.err('unexpected token');
    return e;
  }

  private parseOr(): Expr {
    let l = this.parseAnd();
    while (this.isKw('or')) {
      this.pos++;
      l = { k: 'bin', op: 'or', l, r: this.parseAnd() };
    }
    return l;
  }
  private parseAnd(): Expr {
    let l = this.parseNot();
    while (this.isKw('and')) {
      this.pos++;
      l = { k: 'bin', op: 'and', l, r: this.parseNot() };
    }
    return l;
  }
  private parseNot(): Expr {
    if (this.isKw('not')) {
      this.pos++;
      return { k: 'unary', op: 'not', e: this.parseNot() };
    }
    return this.parseCmp();
  }
  private parseCmp(): Expr {
    let l = this.parseAdd();
    for (;;) {
      const t = this.peek();
      let op: BinaryOp | undefined;
      if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) op = t.v as BinaryOp;
      else if (t.t === 'id' && t.v === 'in') op = 'in';
      else if (t.t === 'id' && t.v === 'not' && this.toks[this.pos + 1]?.t === 'id' && (this.toks[this.pos + 1] as { v: string }).v === 'in') {
        this.pos++;
        op = 'not in';
      }
      if (!op) return l;
      this.pos++;
      l = { k: 'bin', op, l, r: this.parseAdd() };
    }
  }
  private parseAdd(): Expr {
    let l = this.parseMul();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.next() as { v: string }).v as BinaryOp;
      l = { k: 'bin', op, l, r: this.parseMul() };
    }
    return l;
  }
  private parseMul(): Expr {
    let l = this.parseUnary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = (this.next() as { v: string }).v as BinaryOp;
      l = { k: 'bin', op, l, r: this.parseUnary() };
    }
    return l;
  }
  private parseUnary(): Expr {
    if (this.isOp('-')) {
      this.pos++;
      const e = this.parseUnary();
      if (e.k === 'lit' && typeof e.v === 'number') return { k: 'lit', v: -e.v };
      return { k: 'unary', op: '-', e };
    }
    if (this.isOp('+')) {
      this.pos++;
      return this.parseUnary();
    }
    return this.parsePostfix();
  }
  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const t = this.next();
        if (t.t !== 'id') throw this.err('expected a name after "."');
        e = { k: 'member', obj: e, name: t.v };
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.parseOr();
        this.expectOp(']');
        e = { k: 'index', obj: e, index };
      } else if (this.isOp('(')) {
        const fn = dottedName(e);
        if (!fn) throw this.err('only named functions can be called');
        this.pos++;
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          for (;;) {
            args.push(this.parseOr());
            if (this.isOp(',')) {
              this.pos++;
              continue;
            }
            break;
          }
        }
        this.expectOp(')');
        e = { k: 'call', fn, args };
      } else {
        return e;
      }
    }
  }
  private parsePrimary(): Expr {
    const t = this.next();
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'id') {
      if (Object.prototype.hasOwnProperty.call(KEYWORD_LITERALS, t.v)) return { k: 'lit', v: KEYWORD_LITERALS[t.v] as Value };
      if (['and', 'or', 'in'].includes(t.v)) {
        this.pos--;
        throw this.err('unexpected keyword');
      }
      // `not` here is the function-call form `not(x)`; parseNot handles the prefix form.
      if (t.v === 'not') return { k: 'unary', op: 'not', e: this.parseNot() };
      return { k: 'var', name: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      const e = this.parseOr();
      this.expectOp(')');
      return e;
    }
    if (t.t === 'op' && t.v === '[') {
      const items: Expr[] = [];
      if (!this.isOp(']')) {
        for (;;) {
          items.push(this.parseOr());
          if (this.isOp(',')) {
            this.pos++;
            if (this.isOp(']')) break;
            continue;
          }
          break;
        }
      }
      this.expectOp(']');
      return { k: 'list', items };
    }
    if (t.t === 'op' && t.v === '{') {
      const entries: Array<[Expr, Expr]> = [];
      if (!this.isOp('}')) {
        for (;;) {
          const key = this.parseOr();
          this.expectOp(':');
          entries.push([key, this.parseOr()]);
          if (this.isOp(',')) {
            this.pos++;
            if (this.isOp('}')) break;
            continue;
          }
          break;
        }
      }
      this.expectOp('}');
      return { k: 'map', entries };
    }
    this.pos--;
    throw this.err('unexpected token');
  }
}

/** `a.b.c` as "a.b.c" when the chain is only names (a function name), else undefined. */
function dottedName(e: Expr): string | undefined {
  if (e.k === 'var') return e.name;
  if (e.k === 'member') {
    const left = dottedName(e.obj);
    return left === undefined ? undefined : `${left}.${e.name}`;
  }
  return undefined;
}

export function parseExpression(src: string): Expr {
  return new Parser(tokenize(src), src).parseAll();
}

/** Visits every node (used by the loader to check names at load time). */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  switch (e.k) {
    case 'member':
      walkExpr(e.obj, visit);
      break;
    case 'index':
      walkExpr(e.obj, visit);
      walkExpr(e.index, visit);
      break;
    case 'call':
      e.args.forEach((a) => walkExpr(a, visit));
      break;
    case 'unary':
      walkExpr(e.e, visit);
      break;
    case 'bin':
      walkExpr(e.l, visit);
      walkExpr(e.r, visit);
      break;
    case 'list':
      e.items.forEach((a) => walkExpr(a, visit));
      break;
    case 'map':
      e.entries.forEach(([k, v]) => {
        walkExpr(k, visit);
        walkExpr(v, visit);
      });
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------- evaluator

export interface EvalContext {
  /** Value of a variable; throws (KeyError) if it is not defined. */
  lookup(name: string): Value;
  /** Calls a standard-library function by its dotted name. */
  call(fn: string, args: Value[]): Value;
}

export function evaluate(e: Expr, ctx: EvalContext): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'var':
      return ctx.lookup(e.name);
    case 'member':
      return member(evaluate(e.obj, ctx), e.name);
    case 'index':
      return index(evaluate(e.obj, ctx), evaluate(e.index, ctx));
    case 'call':
      return ctx.call(
        e.fn,
        e.args.map((a) => evaluate(a, ctx)),
      );
    case 'unary': {
      const v = evaluate(e.e, ctx);
      if (e.op === 'not') {
        if (typeof v !== 'boolean') throw systemError('TypeError', `not: expected a bool, got ${typeName(v)}`);
        return !v;
      }
      if (typeof v !== 'number') throw systemError('TypeError', `unary -: expected a number, got ${typeName(v)}`);
      return -v;
    }
    case 'bin':
      return binary(e.op, e.l, e.r, ctx);
    case 'list':
      return e.items.map((x) => evaluate(x, ctx));
    case 'map': {
      const m: WfMap = newMap();
      for (const [ke, ve] of e.entries) {
        const key = evaluate(ke, ctx);
        if (typeof key !== 'string') throw systemError('TypeError', `map keys must be strings, got ${typeName(key)}`);
        Object.defineProperty(m, key, { value: evaluate(ve, ctx), writable: true, enumerable: true, configurable: true });
      }
      return m;
    }
  }
}

export function member(obj: Value, name: string): Value {
  if (!isMap(obj)) throw systemError('TypeError', `cannot read key "${name}" of a ${typeName(obj)}`);
  const v = getKey(obj, name);
  if (v === undefined) throw systemError('KeyError', `key not found: ${name}`);
  return v;
}

export function index(obj: Value, idx: Value): Value {
  if (Array.isArray(obj)) {
    if (typeof idx !== 'number' || !Number.isInteger(idx)) throw systemError('TypeError', `list index must be an int, got ${typeName(idx)}`);
    if (idx < 0 || idx >= obj.length) throw systemError('IndexError', `list index out of range: ${idx}`);
    return obj[idx] as Value;
  }
  if (isMap(obj)) {
    if (typeof idx !== 'string') throw systemError('TypeError', `map key must be a string, got ${typeName(idx)}`);
    const v = getKey(obj, idx);
    if (v === undefined) throw systemError('KeyError', `key not found: ${idx}`);
    return v;
  }
  throw systemError('TypeError', `cannot index a ${typeName(obj)}`);
}

function bool(v: Value, op: string): boolean {
  if (typeof v !== 'boolean') throw systemError('TypeError', `${op}: expected a bool, got ${typeName(v)}`);
  return v;
}

function num(v: Value, op: string, other: Value): number {
  if (typeof v !== 'number') throw systemError('TypeError', `unsupported operand types for ${op}: ${typeName(v)} and ${typeName(other)}`);
  return v;
}

function binary(op: BinaryOp, le: Expr, re: Expr, ctx: EvalContext): Value {
  // and/or short-circuit, so the right side is evaluated only when needed.
  if (op === 'and') return bool(evaluate(le, ctx), 'and') ? bool(evaluate(re, ctx), 'and') : false;
  if (op === 'or') return bool(evaluate(le, ctx), 'or') ? true : bool(evaluate(re, ctx), 'or');
  const l = evaluate(le, ctx);
  const r = evaluate(re, ctx);
  switch (op) {
    case '+':
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      if (typeof l === 'number' && typeof r === 'number') return l + r;
      throw systemError('TypeError', `unsupported operand types for +: ${typeName(l)} and ${typeName(r)}`);
    case '-':
      return num(l, '-', r) - num(r, '-', l);
    case '*':
      return num(l, '*', r) * num(r, '*', l);
    case '/': {
      const a = num(l, '/', r);
      const b = num(r, '/', l);
      if (b === 0) throw systemError('ZeroDivisionError', 'division by zero');
      return a / b;
    }
    case '//': {
      const a = num(l, '//', r);
      const b = num(r, '//', l);
      if (b === 0) throw systemError('ZeroDivisionError', 'integer division by zero');
      return Math.floor(a / b);
    }
    case '%': {
      const a = num(l, '%', r);
      const b = num(r, '%', l);
      if (b === 0) throw systemError('ZeroDivisionError', 'modulo by zero');
      return a - b * Math.floor(a / b); // Python semantics: the sign follows the divisor
    }
    case '==':
      return deepEqual(l, r);
    case '!=':
      return !deepEqual(l, r);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const comparable = (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string');
      if (!comparable) throw systemError('TypeError', `cannot compare ${typeName(l)} and ${typeName(r)} with ${op}`);
      const a = l as number | string;
      const b = r as number | string;
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
    case 'in':
    case 'not in': {
      let found: boolean;
      if (Array.isArray(r)) found = r.some((x) => deepEqual(x, l));
      else if (isMap(r)) {
        if (typeof l !== 'string') throw systemError('TypeError', `"in" a map needs a string key, got ${typeName(l)}`);
        found = hasKey(r, l);
      } else throw systemError('TypeError', `"in" needs a list or a map on the right, got ${typeName(r)}`);
      return op === 'in' ? found : !found;
    }
  }
  throw systemError('TypeError', `unknown operator ${op}`);
}

/** True when a YAML string is a whole `${...}` expression (surrounding whitespace allowed). */
export function isExpressionString(s: string): boolean {
  const t = s.trim();
  return t.startsWith('${') && t.endsWith('}');
}

export function expressionBody(s: string): string {
  const t = s.trim();
  return t.slice(2, -1);
}
