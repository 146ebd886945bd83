/** The controller's work queue: per-key dedup and backoff, one key at a time, first come first served. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/controller/queue.js';

test('with concurrency 1, keys run one at a time in the order they became ready; a burst of the same key runs once', async () => {
  const log: string[] = [];
  let inFlight = 0;
  let most = 0;
  const q = new WorkQueue(async (key) => {
    inFlight++;
    most = Math.max(most, inFlight);
    log.push(key);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
  }, { batchDelayMs: 1, backoffBaseMs: 1, backoffMaxMs: 10, concurrency: 1 }, () => {});
  for (const k of ['ns:a', 'ns:b', 'ns:a', 'ns:c', 'ns:b']) q.add(k, 0);
  await new Promise((r) => setTimeout(r, 2));
  q.add('ns:z', 0);
  await q.drain();
  assert.equal(most, 1);
  assert.deepEqual(log, ['ns:a', 'ns:b', 'ns:c', 'ns:z']);
});

test('a failing key backs off and retries on its own; the others go on', async () => {
  const log: string[] = [];
  let failures = 0;
  const errors: [string, number][] = [];
  const q = new WorkQueue(async (key) => {
    log.push(key);
    if (key === 'ns:bad' && failures < 2) {
      failures++;
      throw new Error('refused');
    }
  }, { batchDelayMs: 1, backoffBaseMs: 5, backoffMaxMs: 50, concurrency: 1 }, (key, _e, retryInMs) => errors.push([key, retryInMs]));
  q.add('ns:bad', 0);
  q.add('ns:good', 0);
  await q.drain();
  assert.deepEqual(errors, [['ns:bad', 5], ['ns:bad', 10]]);
  assert.deepEqual(log.filter((k) => k === 'ns:good'), ['ns:good']);
  assert.equal(log.filter((k) => k === 'ns:bad').length, 3);
});

test('a key added while it runs runs once more afterwards', async () => {
  let runs = 0;
  const again = { add: (_key: string) => {} };
  const q = new WorkQueue(async () => {
    runs++;
    if (runs === 1) again.add('ns:a');
    await new Promise((r) => setTimeout(r, 2));
  }, { batchDelayMs: 1, backoffBaseMs: 1, backoffMaxMs: 10, concurrency: 1 }, () => {});
  again.add = (key) => q.add(key, 0);
  q.add('ns:a', 0);
  await q.drain();
  assert.equal(runs, 2);
});

test('a change goes ahead of a sweep: the bulk lane waits while changes are ready, and a change to a swept key moves it forward', async () => {
  const log: string[] = [];
  let add = (_key: string, _lane?: 'change' | 'bulk') => {};
  const q = new WorkQueue(async (key) => {
    log.push(key);
    if (key === 'ns:0') {
      // While the sweep's first namespace runs, two changes arrive: one to a namespace the sweep has
      // not reached yet, one to a namespace it does not visit.
      add('ns:8');
      add('ns:x');
    }
    await new Promise((r) => setTimeout(r, 2));
  }, { batchDelayMs: 1, backoffBaseMs: 1, backoffMaxMs: 10, concurrency: 1 }, () => {});
  add = (key, lane) => q.add(key, 0, lane);
  for (let i = 0; i < 10; i++) q.add(`ns:${i}`, 0, 'bulk');
  await q.drain();
  assert.deepEqual(log, ['ns:0', 'ns:8', 'ns:x', 'ns:1', 'ns:2', 'ns:3', 'ns:4', 'ns:5', 'ns:6', 'ns:7', 'ns:9']);
  // A bulk add of a key waiting as a change keeps it a change.
  const order: string[] = [];
  const r = new WorkQueue(async (key) => {
    order.push(key);
    await new Promise((resolve) => setTimeout(resolve, key === 'ns:first' ? 20 : 1));
  }, { batchDelayMs: 1, backoffBaseMs: 1, backoffMaxMs: 10, concurrency: 1 }, () => {});
  r.add('ns:first', 0);
  r.add('ns:a', 1, 'bulk');
  r.add('ns:b', 2);
  r.add('ns:b', 2, 'bulk');
  await r.drain();
  assert.deepEqual(order, ['ns:first', 'ns:b', 'ns:a']);
});
