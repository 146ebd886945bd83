/**
 * gRPC services as API operations (pure, over a parsed protobuf Root): every RPC is a POST to
 * `/<package>.<Service>/<Method>` — streaming ones too, which gRPC carries the same way.
 */
import type { Namespace, ReflectionObject, Root, Service } from 'protobufjs';
import type { Operation } from './openapi.js';

function isService(o: ReflectionObject): o is Service {
  return (o as Service).methodsArray !== undefined && o.constructor.name === 'Service';
}

function* servicesIn(ns: Namespace): Generator<Service> {
  for (const o of ns.nestedArray) {
    if (isService(o)) yield o;
    if ((o as Namespace).nestedArray !== undefined) yield* servicesIn(o as Namespace);
  }
}

/** The RPCs of the services defined in `files` (every service when `files` is empty). */
export function rpcOperations(root: Root, files: readonly string[]): Operation[] {
  const wanted = new Set(files);
  const out: Operation[] = [];
  for (const service of servicesIn(root)) {
    // Only the services of the files asked for, not of what they import (no files named: all).
    if (wanted.size > 0 && !(service.filename && wanted.has(service.filename))) continue;
    const full = service.fullName.replace(/^\./, '');
    for (const method of service.methodsArray) {
      out.push({
        method: 'POST', template: `/${full}/${method.name}`, basePaths: [''], parameters: [],
        operationId: `${service.name}.${method.name}`,
        where: `${full}.${method.name}${method.requestStream || method.responseStream ? ' (streaming)' : ''}`,
      });
    }
  }
  return out;
}
