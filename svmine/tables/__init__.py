"""Tables like Appendix 3 of "Healthy Commissioning" (2017), with the evidence behind each "yes".

``build_table`` reads a store and returns a ``Table``; ``render``/``write_table`` turn it into
terminal text, Markdown, CSV, JSON or XLSX; ``compare`` sets a reference verdict beside it.
"""

from svmine.tables.build import Row, Table, build_table
from svmine.tables.output import FORMATS, make_table, write_table

__all__ = ["FORMATS", "Row", "Table", "build_table", "make_table", "write_table"]
