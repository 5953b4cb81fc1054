"""Alembic migrations, shipped inside the package so that an installed `votehall` can migrate."""
