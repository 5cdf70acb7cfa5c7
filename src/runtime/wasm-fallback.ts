// The WASM session a runtime switches to after its WebGPU device was lost. It cannot come from the
// onnxruntime that ran WebGPU: that build has one WebAssembly instance per thread, shared by all its
// sessions, and once its device is gone every later run in it fails inside the WebGPU buffer manager
// (seen in chromium: even a fresh 'wasm' session there). So this loads onnxruntime-web's WASM-only
// module, a second instance with its own heap, and runs the verified model bytes on it directly; the
// decode loop gets the same forward it had (inputs and outputs named as transformers.js names them).
// Browser only: Node has no WebGPU to lose.

/** What the step needs of an ORT tensor (transformers.js' Tensor has the same surface). */
export interface OrtTensorLike {
  type: string;
  dims: readonly number[];
  data: unknown;
  location?: string;
  dispose(): void;
}

export type TensorCtor = new (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: number[]) => OrtTensorLike;

export interface RawSession {
  Tensor: TensorCtor;
  inputNames: readonly string[];
  /** Feeds as transformers.js' model.forward takes them (past under `past_key_values`); outputs by name. */
  forward(feeds: Record<string, unknown>): Promise<Record<string, OrtTensorLike>>;
  dispose(): Promise<void>;
}

interface OrtModule {
  env: { wasm: { wasmPaths?: unknown; numThreads?: number } };
  Tensor: TensorCtor;
  InferenceSession: {
    create(bytes: Uint8Array, options: Record<string, unknown>): Promise<{
      inputNames: readonly string[];
      run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
      release(): Promise<void>;
    }>;
  };
}

/** Shape of the empty KV cache of a prefill: [rows, kv heads, 0, head dim], from config.json. */
function kvShape(config: Record<string, unknown>, rows: number): number[] {
  const num = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
  const heads = num(config.num_attention_heads) ?? 1;
  const kvHeads = num(config.num_key_value_heads) ?? heads;
  const headDim = num(config.head_dim) ?? Math.floor((num(config.hidden_size) ?? heads) / heads);
  return [rows, kvHeads, 0, headDim];
}

/**
 * A WASM-only onnxruntime session over `bytes` (the model file, already verified). `files`: the
 * WASM-only build's .wasm/.mjs (ort-wasm-urls.ts or the integrator's wasmPaths folder).
 */
export async function createWasmSession(bytes: Uint8Array, config: Record<string, unknown>, files: { wasm: string; mjs: string }, sessionOptions: Record<string, unknown>): Promise<RawSession> {
  const ort = (await import('onnxruntime-web/wasm')) as unknown as OrtModule;
  ort.env.wasm.wasmPaths = { ...files };
  const session = await ort.InferenceSession.create(bytes, { ...sessionOptions, executionProviders: ['wasm'] });
  return {
    Tensor: ort.Tensor,
    inputNames: session.inputNames,
    async forward(feeds) {
      const { past_key_values: past, ...rest } = feeds as Record<string, OrtTensorLike> & { past_key_values?: Record<string, OrtTensorLike> };
      const rows = (rest.input_ids as OrtTensorLike).dims[0] ?? 1;
      const run: Record<string, OrtTensorLike> = {};
      for (const name of session.inputNames) {
        if (name.startsWith('past_key_values.')) run[name] = past?.[name] ?? new ort.Tensor('float32', new Float32Array(0), kvShape(config, rows));
        else if (rest[name]) run[name] = rest[name] as OrtTensorLike;
      }
      return session.run(run);
    },
    dispose: () => session.release(),
  };
}
