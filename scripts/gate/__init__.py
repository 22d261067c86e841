"""The quality gate: Great Expectations suites from expectations/*.yml run on warehouse profiles."""
