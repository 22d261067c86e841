"""Synthetic force extracts: SYNTHETIC data shaped like a county force's systems (see generate.py)."""
