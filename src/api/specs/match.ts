/** The HTTP match shape shared by HTTPRouteGroup versions. */
import { Type } from '@sinclair/typebox';
import { Strict, HttpMethod } from '../schema.js';

const name = Type.String({ description: 'Name of the match; unique in its group, referenced by rules.' });
const pathRegex = Type.String({ description: 'RE2 regex for the path, anchored at its start; any path when omitted.' });
const methods = Type.Array(HttpMethod, { description: 'Methods of the match; any method when omitted.' });

/** v1alpha1: paths and methods only. */
export const HttpMatchV1 = Strict({
  name,
  pathRegex: Type.Optional(pathRegex),
  methods: Type.Optional(methods),
});

/** v1alpha2 on: header filters, a map of header name to an RE2 regex on its value (AND within a match). */
export const HttpMatch = Strict({
  name,
  pathRegex: Type.Optional(pathRegex),
  methods: Type.Optional(methods),
  headers: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: 'Header name to RE2 regex on its value, anchored at its start; all must match.',
    }),
  ),
});
