"""What planners read: the night's summary (Markdown and JSON), the self-contained HTML report with
the quarantine downloads, and the five-gear scorecard as text."""
