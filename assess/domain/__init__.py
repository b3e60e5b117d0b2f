"""Rules as plain Python: no Flask, no database, tested in microseconds."""
