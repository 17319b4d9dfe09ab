"""Domain records: the schema, the in-memory dataset and its validation. No I/O."""

from importsub.model.dataset import Dataset
from importsub.model.errors import (
    AnalysisError,
    FileFormatError,
    ImportsubError,
    InfeasibleError,
    NotFoundError,
    Problem,
    UnboundedError,
    ValidationError,
)
from importsub.model.schema import TABLE_NAMES, TABLES, RecordType, table

__all__ = [
    "TABLES",
    "TABLE_NAMES",
    "AnalysisError",
    "Dataset",
    "FileFormatError",
    "ImportsubError",
    "InfeasibleError",
    "NotFoundError",
    "Problem",
    "RecordType",
    "UnboundedError",
    "ValidationError",
    "table",
]
