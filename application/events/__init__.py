"""The published event contract: catalogue, CloudEvents, filters, schemas, serialization, the live feed."""
