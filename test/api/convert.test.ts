import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { KINDS } from '../../src/api/registry.js';
import { convertObject, readTruth, truthOf, CONVERSION_ANNOTATION } from '../../src/api/convert.js';
import type { AnyObject } from '../../src/api/schema.js';
import { objectOf } from '../support/arbitraries.js';

function convert(object: AnyObject, to: string): AnyObject {
  const result = convertObject(object, to);
  assert.ok(result.ok, `conversion to ${to} failed: ${result.ok ? '' : result.message}`);
  return result.value.object;
}

describe('conversion between every pair of versions', () => {
  for (const def of KINDS) {
    for (const from of def.versions) {
      const fromCheck = TypeCompiler.Compile(from.schema);
      test(`${def.kind} ${from.version}: generated objects are valid, and round-trip through every version`, () => {
        fc.assert(
          fc.property(objectOf(def.group, from.version, def.kind), (object) => {
            assert.ok(fromCheck.Check(object), `generator made an invalid object: ${JSON.stringify([...fromCheck.Errors(object)][0])}`);
            for (const to of def.versions) {
              const there = convert(object as AnyObject, `${def.group}/${to.version}`);
              assert.equal(there.apiVersion, `${def.group}/${to.version}`);
              const back = convert(there, `${def.group}/${from.version}`);
              assert.deepEqual(back, object, `${from.version} → ${to.version} → ${from.version} changed the object`);
            }
          }),
          { numRuns: 60 },
        );
      });
    }
    if (def.versions.length > 2) {
      test(`${def.kind}: a chain through all versions comes back unchanged`, () => {
        const first = def.versions[0]!;
        fc.assert(
          fc.property(objectOf(def.group, first.version, def.kind), (object) => {
            let current = object as AnyObject;
            for (const v of [...def.versions].reverse()) current = convert(current, `${def.group}/${v.version}`);
            for (const v of def.versions) current = convert(current, `${def.group}/${v.version}`);
            current = convert(current, `${def.group}/${first.version}`);
            assert.deepEqual(current, object);
          }),
          { numRuns: 40 },
        );
      });
    }
    test(`${def.kind}: a conversion that reports no loss yields an object valid in the target version`, () => {
      const hub = def.versions[def.versions.length - 1]!;
      fc.assert(
        fc.property(objectOf(def.group, hub.version, def.kind), (object) => {
          for (const to of def.versions) {
            const result = convertObject(object as AnyObject, `${def.group}/${to.version}`);
            assert.ok(result.ok);
            if (result.value.losses.length > 0) continue;
            const check = TypeCompiler.Compile(to.schema);
            assert.ok(check.Check(result.value.object), `invalid ${to.version}: ${JSON.stringify([...check.Errors(result.value.object)][0])}`);
          }
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('conversion meaning', () => {
  test('v1alpha1 quantity weights become whole numbers in the same proportion', () => {
    const split = {
      apiVersion: 'split.smi-spec.io/v1alpha1', kind: 'TrafficSplit', metadata: { name: 's' },
      spec: { service: 'numbers', backends: [{ service: 'one', weight: '10m' }, { service: 'two', weight: '100m' }, { service: 'three', weight: 1 }] },
    };
    const hub = convert(split, 'split.smi-spec.io/v1alpha4') as unknown as { spec: { backends: { weight: number }[] } };
    assert.deepEqual(hub.spec.backends.map((b) => b.weight), [10, 100, 1000]);
  });

  test('hub weights become milli quantities in v1alpha1, so a round trip needs no annotation', () => {
    const split = {
      apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's' },
      spec: { service: 'web', backends: [{ service: 'v1', weight: 90 }, { service: 'v2', weight: 10 }] },
    };
    const old = convert(split, 'split.smi-spec.io/v1alpha1') as AnyObject & { spec: { backends: { weight: unknown }[] } };
    assert.deepEqual(old.spec.backends.map((b) => b.weight), ['90m', '10m']);
    assert.equal(old.metadata?.annotations, undefined);
    assert.deepEqual(convert(old, 'split.smi-spec.io/v1alpha4'), split);
  });

  test('a finer quantity than milli keeps its proportion', () => {
    const split = {
      apiVersion: 'split.smi-spec.io/v1alpha1', kind: 'TrafficSplit', metadata: { name: 's' },
      spec: { service: 'n', backends: [{ service: 'a', weight: '1u' }, { service: 'b', weight: '3u' }] },
    };
    const hub = convert(split, 'split.smi-spec.io/v1alpha4') as unknown as { spec: { backends: { weight: number }[] } };
    const [a, b] = hub.spec.backends.map((x) => x.weight);
    assert.equal(b! / a!, 3);
  });

  test('a v1alpha2 destination port is reported as lost for other readers and kept for smi', () => {
    const tt = {
      apiVersion: 'access.smi-spec.io/v1alpha2', kind: 'TrafficTarget', metadata: { name: 't', namespace: 'ns' },
      spec: { destination: { kind: 'ServiceAccount', name: 'api', port: 8080 }, rules: [{ kind: 'TCPRoute', name: 'r' }], sources: [{ kind: 'ServiceAccount', name: 'web' }] },
    };
    const result = convertObject(tt, 'access.smi-spec.io/v1alpha3');
    assert.ok(result.ok);
    assert.match(result.value.losses.join(), /port \(8080\)/);
    const hub = result.value.object;
    assert.ok(hub.metadata?.annotations?.[CONVERSION_ANNOTATION]);
    const truth = truthOf(hub) as typeof tt;
    assert.equal(truth.spec.destination.port, 8080);
  });

  test('an object edited since, whose annotation held a limit its version cannot show, keeps the annotation and is refused', () => {
    const tt = {
      apiVersion: 'access.smi-spec.io/v1alpha2', kind: 'TrafficTarget', metadata: { name: 't' },
      spec: { destination: { kind: 'ServiceAccount', name: 'api', port: 8080 }, rules: [{ kind: 'TCPRoute', name: 'r' }], sources: [{ kind: 'ServiceAccount', name: 'web' }] },
    };
    const hub = convert(tt, 'access.smi-spec.io/v1alpha3') as AnyObject & { spec: { sources: { name: string }[] } };
    hub.spec.sources = [{ ...hub.spec.sources[0]!, name: 'other' }];
    const truth = readTruth(hub);
    assert.equal(truth.problem?.code, 'SMI_CONVERSION_ANNOTATION_STALE');
    assert.match(truth.problem?.message ?? '', /spec\.destination\.port \(8080\)/);
    const back = convert(hub, 'access.smi-spec.io/v1alpha2') as typeof tt & { metadata: { annotations?: Record<string, string> } };
    assert.equal(back.spec.sources[0]!.name, 'other');
    assert.ok(back.metadata.annotations?.[CONVERSION_ANNOTATION], 'the annotation stays, so every version shows the same problem');
    assert.equal(readTruth(back).problem?.code, 'SMI_CONVERSION_ANNOTATION_STALE');
  });

  test('an object edited since, whose annotation held no limit, is the new truth: the stale annotation is dropped', () => {
    const tt = {
      apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 't' },
      spec: { destination: { kind: 'ServiceAccount', name: 'api' }, rules: [{ kind: 'TCPRoute', name: 'r' }, { kind: 'UDPRoute', name: 'u' }], sources: [{ kind: 'ServiceAccount', name: 'web' }] },
    };
    const old = convert(tt, 'access.smi-spec.io/v1alpha2') as AnyObject & { spec: { sources: { name: string }[] } };
    old.spec.sources = [{ ...old.spec.sources[0]!, name: 'other' }];
    assert.equal(readTruth(old).problem, undefined);
    const hub = convert(old, 'access.smi-spec.io/v1alpha3') as typeof tt;
    assert.deepEqual(hub.spec.rules, [{ kind: 'TCPRoute', name: 'r' }], 'the UDP rule only the annotation held is gone with the edit (narrower)');
    assert.equal(hub.metadata && 'annotations' in hub.metadata, false);
  });

  test('a conversion annotation cannot smuggle a different kind or group in', () => {
    const forged = {
      apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit',
      metadata: { name: 's', annotations: { [CONVERSION_ANNOTATION]: JSON.stringify({ apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', spec: {} }) } },
      spec: { service: 'a', backends: [{ service: 'b', weight: 1 }] },
    };
    assert.equal(truthOf(forged).kind, 'TrafficSplit');
    assert.equal(truthOf(forged).metadata?.annotations, undefined);
    assert.equal(readTruth(forged).problem?.code, 'SMI_CONVERSION_ANNOTATION_INVALID', 'and the object is refused, not silently read as shown');
  });

  test('unknown target versions and groups are refused with a reason', () => {
    const split = { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 's' }, spec: { service: 'a', backends: [{ service: 'b', weight: 1 }] } };
    const bad = convertObject(split, 'split.smi-spec.io/v2');
    assert.equal(bad.ok, false);
    assert.equal(bad.ok ? '' : bad.code, 'SMI_CONVERT_VERSION');
    const wrongGroup = convertObject(split, 'access.smi-spec.io/v1alpha3');
    assert.equal(wrongGroup.ok ? '' : wrongGroup.code, 'SMI_CONVERT_GROUP');
  });
});
