"""restorekit."""
