// Load progress: transformers.js' progress_callback events as our ProgressEvent.
import type { ProgressEvent } from '../types.ts';

/** Maps transformers.js progress_callback events onto our ProgressEvent. */
export function progressMapper(onProgress: ((e: ProgressEvent) => void) | undefined): ((info: Record<string, unknown>) => void) | undefined {
  if (!onProgress) return undefined;
  const safe = (e: ProgressEvent): void => {
    try {
      onProgress(e);
    } catch {
      // A throwing page callback must not break loading.
    }
  };
  return (info) => {
    const file = typeof info.file === 'string' ? info.file : undefined;
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    switch (info.status) {
      case 'initiate':
      case 'download':
        safe({ phase: 'download', file });
        break;
      case 'progress':
        safe({ phase: 'download', file, loaded: num(info.loaded), total: num(info.total) });
        break;
      case 'progress_total':
        safe({ phase: 'download', loaded: num(info.loaded), total: num(info.total) });
        break;
      case 'done':
        if (file?.endsWith('.onnx')) safe({ phase: 'compile', file });
        break;
      default:
        break;
    }
  };
}
