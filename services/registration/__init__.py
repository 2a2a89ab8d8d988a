"""Registration service: organisations' registrations for deployment periods."""
