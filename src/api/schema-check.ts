/** Compiled TypeBox checkers, one per schema, shared by validation and conversion. */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';

const checkers = new Map<TSchema, TypeCheck<TSchema>>();

export function checkerFor(schema: TSchema): TypeCheck<TSchema> {
  let c = checkers.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    checkers.set(schema, c);
  }
  return c;
}
