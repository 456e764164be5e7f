"""What a province sends: the datasets' declarations (columns, types, keys, code lists; the YAML
files in `contracts/` at the project root), the reference data its rules read (the จปฐ. tools),
the rule kinds every check is made of, and the messages a provincial officer reads, in Thai and
English. Everything else derives from here."""
