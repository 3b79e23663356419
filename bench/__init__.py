"""Benchmarks of repogen against the tools and clients it replaces (bench/RESULTS.md)."""

# The model first: repogen.families.base and repogen.model import each other, and the cycle
# resolves only when the model is imported first (as every repogen command does); the bench
# imports a family's modules directly.
import repogen.model  # noqa: F401
