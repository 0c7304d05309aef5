"""Turns source files into archive documents and keeps the Whoosh index derived from the store."""
