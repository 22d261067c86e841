"""Command-line tools of the police performance warehouse (run as `python -m scripts.<tool>`)."""
