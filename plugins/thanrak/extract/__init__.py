"""From a delivered file's bytes to a typed table: the CSV and XLSX readers (encodings, banners,
merged cells, total rows) and the typing of every column by the contract, with each value that
does not parse kept as a problem of its row."""
