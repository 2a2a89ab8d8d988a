"""Messaging on aio-pika: topology, broker lifecycle, transactional outbox, idempotent inbox."""
