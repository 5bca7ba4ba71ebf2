"""Privacy by design (ADR 0026): personal free text sealed per person, crypto-shredding, export, retention."""
