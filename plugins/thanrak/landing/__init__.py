"""Where provincial files arrive: the landing sources (a local folder or an S3 bucket) and the
discovery that registers each delivered file in the manifest (ops.submission) by content hash."""
