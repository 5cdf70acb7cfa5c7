// Public API of Because: what a storefront (or a Node script) imports. Nothing here loads the model
// runtime; createExplainer starts it in a Web Worker (or lazily in this thread).
export { createExplainer } from './explainer.ts';
export {
  AbortError,
  BecauseError,
  DisposedError,
  InvalidInputError,
  InvalidItemError,
  InvalidOptionsError,
  ModelLoadError,
  TooManyItemsError,
  UnsupportedEnvironmentError,
  WorkerCrashedError,
  isAbortError,
} from './errors.ts';
export type { ErrorDetails } from './errors.ts';
export { PROMPT_FORMAT_VERSION } from './core/prompt.ts';
export type {
  AttributeValue,
  Backend,
  CitedFact,
  DType,
  ExplainOptions,
  Explainer,
  ExplainerInfo,
  ExplainerOptions,
  HistoryEntry,
  Item,
  LoadPhase,
  ProgressEvent,
  RankFeature,
  RankedItem,
  Reason,
  StreamChunk,
  UserContext,
} from './types.ts';
