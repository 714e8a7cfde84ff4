"""Queries answered by ``notesearch watch``: wire protocol, client (stdlib only), server."""
