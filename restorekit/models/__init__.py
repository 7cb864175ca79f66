"""Torch models: the impulse-aware denoiser, its parts, checkpoints and chunked inference."""
