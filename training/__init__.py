"""Because reason-model training pipeline (data, tokenizer, model, export, quantize)."""
