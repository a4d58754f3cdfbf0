"""Domain core of Tongban Clerk: models, catalog, identifiers, deadlines, workflow.

Never imports Tk; clerk_app/, exports/, scanner/ and cli/ build on it.
"""
__version__ = "0.1.0"
