import { describe, expect, it } from 'vitest';
import {
  AbortError,
  BecauseError,
  deserializeError,
  DisposedError,
  InvalidInputError,
  InvalidItemError,
  InvalidOptionsError,
  isAbortError,
  ModelLoadError,
  reviveError,
  serializeError,
  TooManyItemsError,
  UnsupportedEnvironmentError,
  WorkerCrashedError,
} from '../../src/errors.ts';

const all = [
  [ModelLoadError, 'ModelLoadError', 'MODEL_LOAD_FAILED'],
  [UnsupportedEnvironmentError, 'UnsupportedEnvironmentError', 'UNSUPPORTED_ENVIRONMENT'],
  [InvalidInputError, 'InvalidInputError', 'INVALID_INPUT'],
  [InvalidItemError, 'InvalidItemError', 'INVALID_ITEM'],
  [TooManyItemsError, 'TooManyItemsError', 'TOO_MANY_ITEMS'],
  [InvalidOptionsError, 'InvalidOptionsError', 'INVALID_OPTIONS'],
  [AbortError, 'AbortError', 'ABORTED'],
  [DisposedError, 'DisposedError', 'DISPOSED'],
  [WorkerCrashedError, 'WorkerCrashedError', 'WORKER_CRASHED'],
] as const;

describe('errors', () => {
  it.each(all)('%o has a stable name and code', (Cls, name, code) => {
    const e = new Cls('what to do');
    expect(e).toBeInstanceOf(BecauseError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(e.code).toBe(code);
    expect(e.message).toBe('what to do');
    expect(String(e)).toBe(`${name}: what to do`);
  });

  it('AbortError is named like DOM aborts', () => {
    const e = new AbortError();
    expect(e.name).toBe('AbortError');
    expect(e.message).toMatch(/aborted/);
    expect(isAbortError(e)).toBe(true);
    expect(isAbortError(new DOMException('x', 'AbortError'))).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
  });

  it('ModelLoadError names the file and keeps its cause', () => {
    const cause = new TypeError('Failed to fetch');
    const e = new ModelLoadError('Could not load /models/x/onnx/model.onnx; check the model option.', { file: '/models/x/onnx/model.onnx', cause });
    expect(e.file).toBe('/models/x/onnx/model.onnx');
    expect(e.cause).toBe(cause);
  });

  it.each(all)('%o survives serialize → structuredClone → revive', (Cls, name, code) => {
    const original = new Cls('message', { details: { index: 3 }, cause: new Error('inner') });
    const wire = structuredClone(serializeError(original));
    const back = reviveError(wire);
    expect(back).toBeInstanceOf(Cls);
    expect(back.name).toBe(name);
    expect((back as BecauseError).code).toBe(code);
    expect(back.message).toBe('message');
    expect((back as BecauseError).details).toMatchObject({ index: 3 });
    expect((back.cause as Error).message).toBe('inner');
    expect(back.stack).toBe(original.stack);
  });

  it('keeps item details across the boundary', () => {
    const e = reviveError(structuredClone(serializeError(new InvalidItemError('bad title', { index: 4, itemId: 'x' }))));
    expect(e).toBeInstanceOf(InvalidItemError);
    expect((e as InvalidItemError).details).toEqual({ index: 4, itemId: 'x' });
  });

  it('revives plain {name, message} objects (comlink error data) and foreign errors', () => {
    expect(reviveError({ name: 'InvalidInputError', message: 'items must be an array' })).toBeInstanceOf(InvalidInputError);
    expect(deserializeError({ name: 'AbortError', message: 'stop' })).toBeInstanceOf(AbortError);
    const plain = reviveError({ name: 'RangeError', message: 'too big' });
    expect(plain).not.toBeInstanceOf(BecauseError);
    expect(plain.name).toBe('RangeError');
    expect(plain.message).toBe('too big');
    expect(reviveError('just a string').message).toBe('just a string');
    const existing = new DisposedError('gone');
    expect(reviveError(existing)).toBe(existing);
  });

  it('serializes anything thrown without throwing itself', () => {
    expect(serializeError('boom')).toMatchObject({ name: 'Error', message: 'boom' });
    expect(serializeError(undefined)).toMatchObject({ message: 'undefined' });
    const circular: Error & { cause?: unknown } = new Error('loop');
    circular.cause = circular;
    expect(() => structuredClone(serializeError(circular))).not.toThrow();
    expect(serializeError(serializeError(new AbortError()))).toMatchObject({ name: 'AbortError', code: 'ABORTED' });
  });
});
