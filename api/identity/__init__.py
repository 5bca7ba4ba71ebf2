"""Who calls: local HS256 tokens, the organisation's OpenID provider (browser sign-in and API tokens), the directory."""
