"""What the three services share: event contract, messaging, database, settings, errors."""
