"""The monthly performance pack: a self-contained HTML document built from the published warehouse."""
