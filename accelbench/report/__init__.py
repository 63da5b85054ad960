"""``accelbench report``: raw result JSON -> Markdown/CSV tables and PNG plots."""
