import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker } from '../../../libs/delivery/circuitBreaker.ts';

function breaker(overrides: { errorRatio?: number; failureThreshold?: number }) {
  let now = 1_000_000;
  const opened: string[] = [];
  const circuit = new CircuitBreaker({
    failureThreshold: overrides.failureThreshold ?? 5,
    errorRatio: overrides.errorRatio ?? 0,
    errorWindowMs: 10_000,
    minAttempts: 20,
    probeInitialMs: 1000,
    probeMaxMs: 8000,
    onOpen: (_failures, reason) => opened.push(reason),
    onClose: () => opened.push('closed'),
    now: () => now,
  });
  return { circuit, opened, advance: (ms: number) => (now += ms) };
}

test('consecutive failures open the circuit; one success in between resets the run', () => {
  const { circuit, opened } = breaker({});
  for (let i = 0; i < 4; i++) circuit.failure();
  circuit.success();
  for (let i = 0; i < 4; i++) circuit.failure();
  assert.equal(circuit.isOpen, false);
  circuit.failure();
  assert.equal(circuit.isOpen, true);
  assert.deepEqual(opened, ['consecutive']);
});

test('an error share over the window opens the circuit even with no long run of failures', () => {
  const { circuit, opened } = breaker({ errorRatio: 0.5 });
  // fail, fail, succeed: never 5 in a row, but two thirds of attempts fail
  for (let i = 0; i < 6; i++) {
    circuit.failure();
    circuit.failure();
    circuit.success();
  }
  assert.equal(circuit.isOpen, false, '18 attempts: fewer than the window minimum');
  circuit.failure();
  circuit.failure();
  assert.equal(circuit.isOpen, true);
  assert.deepEqual(opened, ['ratio']);
});

test('the error share forgets attempts older than the window', () => {
  const { circuit, advance } = breaker({ errorRatio: 0.5 });
  for (let i = 0; i < 15; i++) {
    circuit.failure();
    circuit.success();
    circuit.success();
  }
  advance(11_000);
  // the old successes are gone: 20 fresh attempts decide alone
  for (let i = 0; i < 10; i++) {
    circuit.success();
    circuit.failure();
  }
  assert.equal(circuit.isOpen, true);
});

test('a share below the ratio keeps the circuit closed', () => {
  const { circuit } = breaker({ errorRatio: 0.5 });
  for (let i = 0; i < 50; i++) {
    circuit.failure();
    circuit.success();
    circuit.success();
  }
  assert.equal(circuit.isOpen, false);
});
