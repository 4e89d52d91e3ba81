"""pytest plugin registered by the package (entry point ``pytest11``): simulator fixtures."""
