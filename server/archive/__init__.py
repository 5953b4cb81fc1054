"""The whole meeting in one file: export for the archive, and import as a closed archive (issue 5)."""
