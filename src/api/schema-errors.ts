/** Turns schema checker errors into diagnostics a person can act on. */
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { closest } from './names.js';
import { HTTP_METHODS } from './schema.js';

export interface SchemaProblem {
  readonly path: (string | number)[];
  readonly code: string;
  readonly message: string;
  /** Point at the key (unknown fields) rather than the value. */
  readonly atKey: boolean;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function expected(schema: TSchema): string {
  if (schema['x-kubernetes-int-or-string']) return 'an integer or a string';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  switch (schema.type) {
    case 'object': return 'a map';
    case 'array': return 'a list';
    case 'integer': return 'a whole number';
    default: return `a ${String(schema.type)}`;
  }
}

/** Field-specific wording where the generic one would not tell the user what to do. */
function special(path: (string | number)[], error: ValueError): { code: string; message: string; below?: (string | number)[] } | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (parent === 'methods' || (last !== undefined && path[path.length - 2] === 'methods')) {
    if (error.type === ValueErrorType.Union) {
      return { code: 'SMI_INVALID_METHOD', message: `${describe(error.value)} is not an HTTP method; use one of ${HTTP_METHODS.join(', ')} or "*" (upper case)` };
    }
  }
  if (last === 'headers' && error.type === ValueErrorType.Union) {
    const bad = badHeaderValue(error.value);
    return {
      code: 'SMI_WRONG_TYPE',
      ...(bad ? { below: bad.path } : {}),
      message: bad
        ? `headers${bad.at}: expected a string (an RE2 regex on the header's value), got ${describe(bad.value)}`
        : `headers must be a map of header name to regex ({name: regex, …}, the SMI spec's form) or a list of such maps (the form OSM and the smi-sdk-go CRD store); got ${describe(error.value)}`,
    };
  }
  if (last === 'weight' && path.includes('backends')) {
    if (error.type === ValueErrorType.IntegerMinimum) return { code: 'SMI_SPLIT_WEIGHT_NEGATIVE', message: `weight ${String(error.value)} is negative; weights are whole numbers ≥ 0` };
    if (error.type === ValueErrorType.Integer) return { code: 'SMI_SPLIT_WEIGHT_INVALID', message: `weight ${describe(error.value)} is not a whole number; from split.smi-spec.io/v1alpha2 on, weights are relative whole numbers (e.g. 90 and 10)` };
  }
  return undefined;
}

/** The first header filter whose regex is not a string, in either form, with where it sits. */
function badHeaderValue(value: unknown): { at: string; path: (string | number)[]; value: unknown } | undefined {
  const entries = (v: unknown, prefix: string, path: (string | number)[]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.entries(v).map(([k, x]) => ({ at: `${prefix}.${k}`, path: [...path, k], value: x }))
      : [{ at: prefix, path, value: v }];
  const all = Array.isArray(value) ? value.flatMap((v, i) => entries(v, `[${i}]`, [i])) : entries(value, '', []);
  if (!Array.isArray(value) && (value === null || typeof value !== 'object')) return undefined;
  return all.find((e) => typeof e.value !== 'string');
}

export function schemaProblems(errors: Iterable<ValueError>, limit = 25): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (seen.has(error.path)) continue; // one problem per field: the first is the cause
    seen.add(error.path);
    const path = pointerToPath(error.path);
    const field = String(path[path.length - 1] ?? '');
    const custom = special(path, error);
    let problem: SchemaProblem;
    if (custom) problem = { path: [...path, ...(custom.below ?? [])], code: custom.code, message: custom.message, atKey: false };
    else {
      switch (error.type) {
        case ValueErrorType.ObjectAdditionalProperties: {
          const known = Object.keys((error.schema as { properties?: object }).properties ?? {});
          const hint = closest(field, known);
          const list = known.length > 0 ? `known fields here: ${known.join(', ')}` : 'this object takes no fields';
          problem = {
            path, code: 'SMI_UNKNOWN_FIELD', atKey: true,
            message: `unknown field "${field}"${hint ? `; did you mean "${hint}"?` : ''} (${list}). Unknown fields are refused: ignoring them could silently widen a policy`,
          };
          break;
        }
        case ValueErrorType.ObjectRequiredProperty:
          problem = { path, code: 'SMI_REQUIRED', atKey: false, message: `required field "${field}" is missing` };
          break;
        case ValueErrorType.Literal:
        case ValueErrorType.Union: {
          const options = ((error.schema.anyOf as TSchema[] | undefined) ?? [error.schema]).map((s) => s.const).filter((c) => c !== undefined);
          problem = options.length > 0
            ? { path, code: 'SMI_INVALID_VALUE', atKey: false, message: `${describe(error.value)} is not allowed; use one of: ${options.map((o) => JSON.stringify(o)).join(', ')}` }
            : { path, code: 'SMI_WRONG_TYPE', atKey: false, message: `expected ${expected(error.schema)}, got ${describe(error.value)}` };
          break;
        }
        case ValueErrorType.ArrayMinItems:
          problem = { path, code: 'SMI_TOO_FEW_ITEMS', atKey: false, message: `"${field}" must have at least ${String(error.schema.minItems)} item(s)` };
          break;
        case ValueErrorType.IntegerMinimum:
        case ValueErrorType.IntegerMaximum:
        case ValueErrorType.NumberMinimum:
        case ValueErrorType.NumberMaximum: {
          const lo = error.schema.minimum;
          const hi = error.schema.maximum;
          const range = lo !== undefined && hi !== undefined ? `between ${lo} and ${hi}` : lo !== undefined ? `at least ${lo}` : `at most ${hi}`;
          const code = path.includes('ports') || field === 'port' ? 'SMI_PORT_RANGE' : 'SMI_OUT_OF_RANGE';
          problem = { path, code, atKey: false, message: `${String(error.value)} is out of range: must be ${range}` };
          break;
        }
        default:
          problem = { path, code: 'SMI_WRONG_TYPE', atKey: false, message: `expected ${expected(error.schema)}, got ${describe(error.value)}` };
      }
    }
    out.push(problem);
    if (out.length >= limit) break;
  }
  return out;
}
