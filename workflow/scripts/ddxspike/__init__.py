"""DDX TS-001 spike: generator, measurement engine, experiments and report helpers."""
