"""Pure domain logic: no I/O, no storage, no platform SDKs. Time is always passed in."""
