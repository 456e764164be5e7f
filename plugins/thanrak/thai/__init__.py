"""Thai text and Thai dates: digits, invisible characters and sara am; Buddhist-Era years, Thai
month names, the fiscal year (1 Oct - 30 Sep, named by its BE year) and the calendar table."""
