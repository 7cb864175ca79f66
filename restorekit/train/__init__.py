"""Training: clean sources, the degrading dataset, losses, the trainer and its CLI."""
