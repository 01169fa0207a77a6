"""Pure domain rules: no database, no request. Each concept has exactly one function here."""
