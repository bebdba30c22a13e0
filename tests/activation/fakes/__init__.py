"""Fake destination servers on loopback, each enforcing its platform's documented contract
(../shared/specs/destinations.md): auth, batch caps, payload shape, hashing format, the platform's own
throttling
signal and per-record error shapes. Every request is recorded for assertions."""
