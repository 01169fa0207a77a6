"""Demo and benchmark data: the demo province (`flask demo load`) and scale data (`flask demo generate`).

Everything here is made up. Records carry provenance "demo" or "generated" so that they can never
be mistaken for the department's own data; e-mail addresses and websites use example.com.
"""
