"""Load force extracts into the warehouse's `raw` schema, losing nothing.

Every file is found strictly: a source folder holds exactly data/raw/<source>/<source>_YYYY-MM.csv
or .csv.gz files, one per month (hidden files aside). Any other file, two files for one month, or a
name with a bad month stops the load with one message listing every offending file.

Each file is read with explicit CSV options and every column cast to its contract type
(models/staging/force/_force__sources.yml). A row that cannot be loaded (a broken CSV line, a value
that is not of its type, an empty required value, a control character such as NUL in any field,
or the last record of a file that does not end with a newline, which may be cut) goes to
raw.quarantine with the file, the physical line (the header is line 1; exact after quoted newlines
and blank lines), the reason and its original values.

Nothing is lost silently: the file's physical lines are counted apart from the CSV parse, and every
line must be the header, a blank line, or part of a record loaded or quarantined. If not (an
unterminated quote swallowing the rest of the file, say), the load stops naming the file. (A
limit: an empty line inside a quoted field counts as a blank line and as a quoted newline, so such
a file stops too; re-export it.)
raw.load_audit gets one row per file: rows_read = rows_loaded + rows_quarantined.

A missing source folder, a file with the wrong header, a file that cannot be read or is truncated,
or a file whose lines do not balance stops the load before anything its readers use is changed,
with a message naming the file and the problem (exit code 2). A full load writes every source into
raw.<table>__loading (and its quarantine and audit rows beside), committed as it goes, then swaps
them all in with one transaction; a load that stops drops them, and one that was killed leaves them
for the next load to drop. A nightly load adds its few files inside one transaction.

Speed: a source's well-formed files (every record one line, a final newline, no control
characters) are read together, one DuckDB read_csv per batch of csv.batch_mib (config/warehouse.yml)
and checked file by file; any other file is read on its own with the checks above.

    python -m scripts.load                      # data/raw -> warehouse/warehouse.duckdb
    python -m scripts.load --raw /tmp/extracts --warehouse /tmp/test.duckdb
    python -m scripts.load --new-files-only     # the nightly load: only files not loaded before

The nightly load adds the months not loaded before and reloads a month whose file changed (its
bytes, or its compression: a month re-exported from .csv.gz to .csv replaces the old file's rows);
a file loaded before that has gone from its folder keeps its rows, is listed in raw.load_withdrawn,
printed, and warned by the gate. A full load replaces the raw tables and leaves
<warehouse>.full-refresh beside the warehouse, so the next `make build` rebuilds the incremental
models in full; so does a nightly load that replaced a re-exported file. Every load gives the
warehouse a new build identity (raw.build_identity): publish refuses until the gate has validated it.
"""

from scripts.load.batch import load_files
from scripts.load.discovery import discover, discover_police_uk
from scripts.load.run import load
from scripts.load.tables import FileResult, LoadError, create_raw_table, full_refresh_marker

__all__ = [
    "FileResult",
    "LoadError",
    "create_raw_table",
    "discover",
    "discover_police_uk",
    "full_refresh_marker",
    "load",
    "load_files",
]
