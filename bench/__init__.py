"""The load benchmark: raw COPY vs Thanrak vs a naive pandas loader (see README.md)."""
