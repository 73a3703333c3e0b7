"""Statistics of the tidy measurement table: per-cell summaries and baseline comparison."""
