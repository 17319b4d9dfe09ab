"""HiGHS glue used by the analyses."""
