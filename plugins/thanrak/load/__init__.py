"""One transaction per file: accepted rows into raw.<dataset> by COPY, failing rows into
quarantine with every reason, rule results into dq, and the manifest row closed, all or nothing."""
