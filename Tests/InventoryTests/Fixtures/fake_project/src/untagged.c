/* No tags here: REUSE.toml's closest annotation supplies them. */
int untagged(void) { return 1; }
