"""Reference data: provinces, communes, the old-to-new commune mapping, VSIC sections, platforms."""
