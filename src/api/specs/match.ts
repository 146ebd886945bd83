/** The HTTP match shape shared by HTTPRouteGroup versions. */
import { Type } from '@sinclair/typebox';
import { Strict, HttpMethod } from '../schema.js';

import { MAX_REGEX_LENGTH, MAX_HEADER_NAME_LENGTH } from '../limits.js';

const name = Type.String({ description: 'Name of the match; unique in its group, referenced by rules.', maxLength: 253 });
const pathRegex = Type.String({ description: 'RE2 regex for the path, anchored at its start; any path when omitted.', maxLength: MAX_REGEX_LENGTH });
const methods = Type.Array(HttpMethod, { description: 'Methods of the match; any method when omitted.', maxItems: 16 });

/** v1alpha1: paths and methods only. */
export const HttpMatchV1 = Strict({
  name,
  pathRegex: Type.Optional(pathRegex),
  methods: Type.Optional(methods),
});

const headerMap = Type.Record(Type.String({ maxLength: MAX_HEADER_NAME_LENGTH }), Type.String({ maxLength: MAX_REGEX_LENGTH }), {
  description: 'Header name to RE2 regex on its value, anchored at its start; all must match.',
  maxProperties: 64,
});

/**
 * Header filters in either form the field wrote: the spec's map, or the list of maps that OSM's and
 * the SDK's CRDs store (every header of every entry must match). Both mean the same; see headers.ts.
 * In the CRD the field is left untyped (a structural schema cannot say "map or list"): the validating
 * webhook checks it.
 */
export const HttpHeaders = Type.Union([headerMap, Type.Array(headerMap, { maxItems: 64 })], {
  description: 'Header name to RE2 regex on its value, anchored at its start; a map, or a list of maps (OSM, SDK). Every header must match.',
  'x-kubernetes-preserve-unknown-fields': true,
});

/** v1alpha2 on: header filters (AND within a match). */
export const HttpMatch = Strict({
  name,
  pathRegex: Type.Optional(pathRegex),
  methods: Type.Optional(methods),
  headers: Type.Optional(HttpHeaders),
});
