"""The fault suite: each test starts what it breaks (a Redis server, the document server, a
PostgreSQL backend, a production-mode process) and asserts what users see while it is broken."""
