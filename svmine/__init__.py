"""svmine: find social value and VCSE mentions in NHS plans and policies."""

__version__ = "0.1.0"
