"""The command line: a thin layer over the library. Each module holds one ``typer.Typer()``.

Rule for every command module: import only typer and the standard library at module level;
heavy libraries (spaCy, pdfplumber, scikit-learn, Dask, Flask) are imported inside commands so
``svmine --help`` stays fast.
"""
