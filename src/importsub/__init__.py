"""importsub: decision support for import substitution in automotive supply chains."""

from importsub.model import Dataset

__version__ = "0.1.0"

__all__ = ["Dataset", "__version__"]
