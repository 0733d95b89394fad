"""Commission history: the monthly figures behind `/earnings history` and its chart."""
