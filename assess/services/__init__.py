"""Use cases: plain values in, results out; the one place that commits."""
