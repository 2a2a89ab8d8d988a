"""The bodies the use cases take and return, and the API answers with."""
