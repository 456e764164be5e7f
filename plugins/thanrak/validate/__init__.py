"""The contract's rules applied to an extracted file: the expectation suites built from the rule
kinds, their bulk evaluation (and the same suites through Great Expectations), the per-row
reasons and file rejections, the GX Data Docs, and `thanrak check` for provincial officers."""
