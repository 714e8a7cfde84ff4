"""The link graph and the tag web, read from an open index (never from Whoosh directly)."""
