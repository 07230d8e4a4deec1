/**
 * Policies are CEL expressions (the Common Expression Language, non-Turing-complete), evaluated
 * with @marcbachmann/cel-js: zero dependencies, parse-time structural limits, a type checker.
 * On top of its limits we refuse, at compile time, what could make one evaluation costly on
 * attacker-influenced input: regular expressions (`matches`, backtracking on claim strings),
 * and comprehensions nested more than two deep. Inputs are small (claims, reference values),
 * so every accepted policy runs in time bounded by its size times the input size squared.
 *
 * A policy evaluates to a boolean (true: passes) or to one of the status words
 * "affirming" | "warning" | "contraindicated".
 */
import { Environment } from '@marcbachmann/cel-js';
import { ErrorCode, SecGearError } from 'secgear/errors';

export const MAX_POLICY_SOURCE = 4096;
const MAX_COMPREHENSION_NESTING = 2;
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const FORBIDDEN_FUNCTIONS = new Set(['matches']);

export type PolicyOutcome = 'affirming' | 'warning' | 'contraindicated';

export interface CompiledPolicy {
  source: string;
  evaluate(variables: Record<string, unknown>): PolicyOutcome;
}

function environment(variables: readonly string[]): Environment {
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 400, maxDepth: 32, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 8 },
  });
  for (const name of variables) env.registerVariable(name, 'dyn');
  return env;
}

interface AstNode {
  op: string;
  args: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).op === 'string';
}

/** Walks the AST; throws for a forbidden function or too deep a comprehension nesting. */
function checkAst(node: unknown, nesting: number): void {
  if (Array.isArray(node)) {
    for (const child of node) checkAst(child, nesting);
    return;
  }
  if (!isNode(node)) return;
  let depth = nesting;
  if ((node.op === 'rcall' || node.op === 'call') && Array.isArray(node.args) && typeof node.args[0] === 'string') {
    const name = node.args[0];
    if (FORBIDDEN_FUNCTIONS.has(name)) {
      throw new SecGearError(ErrorCode.INVALID_POLICY, `policy: ${name}() is not allowed (regular expressions can take exponential time); compare strings with ==, in, startsWith, endsWith or contains`);
    }
    if (COMPREHENSIONS.has(name)) depth += 1;
    if (depth > MAX_COMPREHENSION_NESTING) {
      throw new SecGearError(ErrorCode.INVALID_POLICY, `policy: comprehensions (all/exists/map/filter) may be nested at most ${MAX_COMPREHENSION_NESTING} deep`);
    }
  }
  checkAst(node.args, depth);
}

/** Parses, limits and type-checks a policy; throws CC_ERROR_INVALID_POLICY with the reason. */
export function compilePolicy(source: string, variables: readonly string[]): CompiledPolicy {
  if (typeof source !== 'string' || source.trim().length === 0) throw new SecGearError(ErrorCode.INVALID_POLICY, 'policy: the expression is empty');
  if (source.length > MAX_POLICY_SOURCE) throw new SecGearError(ErrorCode.INVALID_POLICY, `policy: the expression is longer than ${MAX_POLICY_SOURCE} characters`);
  const env = environment(variables);
  let program: ReturnType<Environment['parse']>;
  try {
    program = env.parse(source);
  } catch (error) {
    throw new SecGearError(ErrorCode.INVALID_POLICY, `policy: ${firstLine(error)}`, { cause: error });
  }
  checkAst((program as unknown as { ast: unknown }).ast, 0);
  const checked = program.check() as { valid: boolean; type?: string; error?: unknown };
  if (!checked.valid) throw new SecGearError(ErrorCode.INVALID_POLICY, `policy: ${firstLine(checked.error)}`);
  if (checked.type && !['bool', 'string', 'dyn'].includes(checked.type)) {
    throw new SecGearError(ErrorCode.INVALID_POLICY, `policy: the expression is of type ${checked.type}; it must give a bool or a status string`);
  }
  return {
    source,
    evaluate(values: Record<string, unknown>): PolicyOutcome {
      let result: unknown;
      try {
        result = program(values);
      } catch (error) {
        // an evaluation error (missing claim, overflow) fails closed
        throw new SecGearError(ErrorCode.INVALID_POLICY, `policy evaluation failed: ${firstLine(error)}`, { cause: error });
      }
      if (result === true) return 'affirming';
      if (result === false) return 'contraindicated';
      if (result === 'affirming' || result === 'warning' || result === 'contraindicated') return result;
      throw new SecGearError(ErrorCode.INVALID_POLICY, `policy evaluation gave ${typeof result === 'string' ? JSON.stringify(result) : typeof result}, not a bool or a status word`);
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 300);
}

/** CEL integers are 64-bit: claims' numbers become bigint so `claims.svn >= 2` type-checks as int. */
export function toCelValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCelValue(v)]));
  }
  return value;
}
