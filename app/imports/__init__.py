"""Bulk import of the registry from CSV and XLSX: read, check every row, then commit in one transaction."""
