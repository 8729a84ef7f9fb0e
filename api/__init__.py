"""A headless JSON content API for the public content of the OSCE website."""
