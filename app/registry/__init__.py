"""The registry of enterprises: the rules for creating and changing records."""
