"""The SCIM 2.0 service provider at /scim/v2 over the directory (ADR 0034)."""
