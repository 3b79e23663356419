"""The real package managers, run in private sandboxes as oracles for what a user would get."""
