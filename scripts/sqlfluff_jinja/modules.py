"""dbt's `modules` context for the sqlfluff jinja templater (.sqlfluff library_path): the Python
modules the project's macros call (modules.re, modules.datetime). Not imported by the pipeline."""

import datetime
import re

__all__ = ["datetime", "re"]
