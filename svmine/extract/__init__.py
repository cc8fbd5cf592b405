"""Stage 1: page-accurate text from PDF, DOCX, HTML and plain text.

Public interface (see docs/architecture.md): ``extract_document``, ``iter_input_files``,
``sha256_file``, ``detect_format``. Importing this package loads no PDF library; the engines
are imported when a document needs them.
"""

from svmine.extract.core import extract_document
from svmine.extract.files import detect_format, iter_input_files, sha256_file

__all__ = ["detect_format", "extract_document", "iter_input_files", "sha256_file"]
