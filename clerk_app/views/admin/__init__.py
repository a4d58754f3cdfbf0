"""Administrator screens: catalog, partners, holidays, clerks and rights."""
