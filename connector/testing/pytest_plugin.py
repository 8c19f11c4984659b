"""pytest plugin (entry point ``pytest11: hocba``) exposing the conformance kit's fixtures."""
